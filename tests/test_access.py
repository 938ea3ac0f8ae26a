"""Who may see what: the roles as declared, every guarded function refusing the role below the one it
needs, sign-in policy per store, identity-provider claims, local accounts, the access log, the CSV writer."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cl_metrics import access, lab, quality, store
from cl_metrics import workshop as ws
from cl_metrics.__main__ import main as cli_main
from cl_metrics.access import AccessDenied, Principal, SignInSetup, accounts, roles
from cl_metrics.access import log as access_log
from cl_metrics.access.roles import granted, least_role_for, visitor_role
from cl_metrics.export import MARKING, csv_text, file_name
from cl_metrics.indicators import Indicator, builtin
from cl_metrics.ingest import admin
from synthetic.generate import regenerate
from tests.conftest import ANALYST, FACILITATOR, MANAGER

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["participant", "viewer", "facilitator", "manager", "analyst"]
CANDIDATE = Indicator.model_validate({
    "id": "cand_access", "domain": "keeping_in_touch", "status": "candidate", "title": "In touch at 19-21",
    "question": "Is the council in touch with you?", "description": "In touch, aged 19-21.", "unit": "percent",
    "population": [{"field": "age", "op": "between", "values": [19, 21]}],
    "numerator": [{"field": "IN_TOUCH", "op": "in", "values": ["YES"]}],
    "better": "higher", "voice": "national-return"})


def someone(role: str) -> Principal:
    return Principal(f"{role}@example.org", role, "identity provider")


def test_roles_are_declared_least_first_each_including_the_one_below():
    assert list(roles().roles) == ORDER
    for lower, higher in zip(ORDER, ORDER[1:]):
        assert granted(lower) < granted(higher)
    assert least_role_for("answer_cards") == "participant" and least_role_for("analyst_mode") == "analyst"
    assert access.pages_for(someone("viewer")) == ["overview", "domain", "voice", "data_map", "data_quality", "data"]
    assert access.pages_for(someone("participant")) == []
    assert "lab" in access.pages_for(someone("manager")) and "workshop" in access.pages_for(someone("facilitator"))


# Each guarded function, the action it needs, and a call of it as `actor` (on an OpenStore `opened`).
GUARDED = {
    "lab.create": ("edit_candidates", lambda o, a: lab.create(o, a, CANDIDATE, "Sam")),
    "lab.update": ("edit_candidates", lambda o, a: lab.update(o, a, CANDIDATE)),
    "lab.set_retired": ("edit_candidates", lambda o, a: lab.set_retired(o, a, CANDIDATE.id)),
    "lab.import_file": ("edit_candidates", lambda o, a: lab.import_file(
        o, a, "c.json", json.dumps({"indicator": [CANDIDATE.model_dump(mode="json", exclude_none=True)]}).encode(),
        "Sam")),
    "ws.create_workshop": ("run_workshops", lambda o, a: ws.create_workshop(o, a, "Room", builtin()[:1])),
    "ws.close_workshop": ("run_workshops", lambda o, a: ws.close_workshop(o, a, "no-such-id")),
    "ws.record_decision": ("run_workshops", lambda o, a: ws.record_decision(
        o, a, ws.create_workshop(o, FACILITATOR, "Room", builtin()[:1]), builtin()[0], "reword")),
    "ws.results": ("run_workshops", lambda o, a: ws.results(
        o.cursor(), a, ws.create_workshop(o, FACILITATOR, "Room", builtin()[:1]), {})),
    "quality.failing_records": ("record_lists", lambda o, a: quality.failing_records(o.cursor(), a)),
    "admin.refused_rows": ("record_lists", lambda o, a: admin.refused_rows(o.cursor(), a)),
    "admin.upload": ("import_files", lambda o, a: admin.upload(o.cursor(), a, [])),
    "admin.regenerate_synthetic": ("regenerate", lambda o, a: admin.regenerate_synthetic(o, a, 100, 1, regenerate)),
    "access_log.entries": ("read_access_log", lambda o, a: access_log.entries(o.cursor(), a)),
}


@pytest.mark.parametrize("name", list(GUARDED))
def test_every_guarded_function_refuses_the_role_below_and_writes_nothing(opened, name):
    action, call = GUARDED[name]
    needed = least_role_for(action)
    below = ORDER[ORDER.index(needed) - 1]
    before = {t: opened.cursor().execute(f"SELECT count(*) FROM {t}").fetchone()
              for t in ("candidate_indicator", "indicator_decision", "access_log", "import_batch")}
    with pytest.raises(AccessDenied, match=f"needs the {needed} role"):
        call(opened, someone(below))
    after = {t: opened.cursor().execute(f"SELECT count(*) FROM {t}").fetchone() for t in before}
    if name != "ws.record_decision" and name != "ws.results":  # those made their workshop as a facilitator
        assert after == before


def test_the_role_that_may_passes_the_check(opened):
    made = lab.create(opened, MANAGER, CANDIDATE, "Sam")
    assert made.id == CANDIDATE.id and lab.saved(opened.cursor())[0].author == "Sam"
    assert quality.failing_records(opened.cursor(), ANALYST).empty


def test_analyst_mode_only_for_analysts_whatever_is_asked():
    for role in ORDER:
        expected = "analyst" if role == "analyst" else "workshop"
        assert access.mode_for(someone(role), "analyst") == expected
        assert access.mode_for(someone(role), "workshop") == "workshop"
        assert access.mode_for(someone(role), "Analyst") == "workshop"  # a URL's spelling is not a mode


def test_workshop_results_in_analyst_mode_only_for_an_analyst(opened):
    room = ws.create_workshop(opened, FACILITATOR, "Room", builtin()[:1])
    ws.submit(opened, room.id, "phone-1", room.indicator_ids[0], matters=4)
    assert ws.results(opened.cursor(), FACILITATOR, room, {}, "analyst").summary.at[0, "Answers"] == ws.waiting(1)
    assert ws.results(opened.cursor(), ANALYST, room, {}, "analyst").summary.at[0, "Answers"] == "1"


@pytest.mark.parametrize("source, identity_provider, local, expected", [
    ("synthetic", False, False, "analyst"),   # the open demo
    ("synthetic", True, False, "viewer"),
    ("synthetic", False, True, "viewer"),
    ("real", False, False, "viewer"),         # workshop mode only, until sign-in is set up
    ("real", True, False, "participant"),     # every staff page asks for sign-in
    ("real", False, True, "participant"),
])
def test_what_a_visitor_may_do_depends_on_the_store_and_the_sign_in(source, identity_provider, local, expected):
    setup = SignInSetup(identity_provider, local)
    assert visitor_role(source, setup) == expected
    visitor = access.visitor(source, setup)
    assert visitor.role == expected and not visitor.signed_in
    assert visitor.how == ("open demo" if expected == "analyst" else "not signed in")


def test_roles_come_from_claims_by_e_mail_or_group_the_largest_wins():
    mapping = {"emails": {"Ana.Lyst@NorthYorks.gov.uk": "analyst", "fay@x.org": "facilitator"},
               "groups": {"g-managers": "manager", "g-odd": "superuser"}, "group_claim": "groups"}
    assert access.role_from_claims({"email": "ana.lyst@northyorks.gov.uk"}, mapping) == "analyst"
    assert access.role_from_claims({"preferred_username": "fay@x.org"}, mapping) == "facilitator"
    assert access.role_from_claims({"email": "fay@x.org", "groups": ["g-managers"]}, mapping) == "manager"
    assert access.role_from_claims({"email": "nobody@x.org", "groups": "g-odd"}, mapping) is None  # unknown role
    assert access.role_from_claims({"email": "x@y.org", "roles": ["g-managers"]},
                                   mapping | {"group_claim": "roles"}) == "manager"  # Entra ID app roles
    assert access.role_from_claims({}, {}) is None


def test_a_signed_in_person_never_has_less_than_a_visitor_and_no_role_from_nowhere():
    open_demo, real = SignInSetup(False, False), SignInSetup(True, False)
    assert access.signed_in("a@x.org", None, "identity provider", "real", real).role == "participant"
    assert access.signed_in("a@x.org", "viewer", "identity provider", "real", real).role == "viewer"
    assert access.signed_in("a@x.org", "viewer", "local account", "synthetic", open_demo).role == "analyst"


def test_a_local_account_keeps_a_hash_never_the_password(tmp_path):
    staff = tmp_path / "staff.toml"
    accounts.add("sam", "facilitator", "correct horse battery", staff)
    text = staff.read_text()
    assert "correct horse battery" not in text and "$argon2id$" in text
    assert staff.stat().st_mode & 0o077 == 0  # readable by its owner only
    found = accounts.verify("sam", "correct horse battery", staff)
    assert (found.name, found.role, found.how, found.signed_in) == ("sam", "facilitator", "local account", True)
    assert accounts.verify("sam", "wrong horse battery", staff) is None
    assert accounts.verify("nobody", "correct horse battery", staff) is None
    with pytest.raises(accounts.AccountError, match="at least 12"):
        accounts.add("sam", "analyst", "short", staff)
    with pytest.raises(accounts.AccountError, match="Unknown role"):
        accounts.add("sam", "admin", "long enough password", staff)
    with pytest.raises(accounts.AccountError, match="A name is"):
        accounts.add('sam"\n[staff.evil]', "analyst", "long enough password", staff)
    accounts.remove("sam", staff)
    assert accounts.accounts(staff) == {}


def test_too_many_wrong_passwords_lock_a_name_out(tmp_path, monkeypatch):
    staff = tmp_path / "staff.toml"
    accounts.add("lou", "viewer", "a long enough password", staff)
    monkeypatch.setattr(accounts, "_failures", {})
    for _ in range(accounts.MAX_FAILURES):
        assert accounts.verify("lou", "guess guess guess", staff) is None
    with pytest.raises(AccessDenied, match="Too many wrong passwords"):
        accounts.verify("lou", "a long enough password", staff)


def test_staff_add_on_the_command_line_reads_the_password_and_writes_its_hash(tmp_path, monkeypatch, capsys):
    staff = tmp_path / "staff.toml"
    monkeypatch.setenv(accounts.STAFF_ENV, str(staff))
    monkeypatch.setattr(sys, "stdin", io.StringIO("a password nobody sees\n"))
    assert cli_main(["staff", "add", "ana", "--role", "analyst", "--password-stdin"]) == 0
    printed = capsys.readouterr().out
    assert "ana can now sign in as analyst" in printed and "a password nobody sees" not in printed
    assert "a password nobody sees" not in staff.read_text()
    assert accounts.verify("ana", "a password nobody sees", staff).role == "analyst"
    assert cli_main(["staff", "list"]) == 0 and capsys.readouterr().out == "ana\tanalyst\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert cli_main(["staff", "add", "bo", "--role", "viewer", "--password-stdin"]) == 2
    assert "at least 12 characters" in capsys.readouterr().err


def test_the_access_log_records_once_per_session_and_never_for_the_wrong_role(opened):
    analyst = Principal("ana@example.org", "analyst", "identity provider", session="s1")
    for _ in range(3):
        access_log.record_once(opened, analyst, "viewed records", "failing records")
    access_log.record(opened, analyst, "downloaded", "OFFICIAL-SENSITIVE_x.csv")
    log = access_log.entries(opened.cursor(), analyst)
    assert log[["Who", "Role", "What", "About"]].values.tolist() == [
        ["ana@example.org", "analyst", "downloaded", "OFFICIAL-SENSITIVE_x.csv"],
        ["ana@example.org", "analyst", "viewed records", "failing records"]]


def test_imports_and_the_audit_command_line(tmp_path, monkeypatch):
    from tests.test_ingest import EXAMPLES, TEST_KEY
    db = tmp_path / "real.duckdb"
    env = {"CL_PSEUDONYM_KEY": TEST_KEY, "PATH": "/usr/bin:/bin"}
    run = lambda *args: subprocess.run([sys.executable, "-m", "cl_metrics", *args], cwd=ROOT, env=env,  # noqa: E731
                                       capture_output=True, text=True, timeout=120)
    assert run("import", *map(str, sorted(EXAMPLES.glob("*.csv"))), "--db", str(db), "--quiet").returncode == 0
    audit = run("audit", "--db", str(db))
    assert audit.returncode == 0 and audit.stdout.startswith(MARKING + "\n")
    log = pd.read_csv(io.StringIO(audit.stdout.split("\n", 1)[1]))
    assert log["What"].tolist() == ["imported"] and log["How signed in"].tolist() == ["command line"]
    assert "ssda903_2023-24_oc3.csv" in log["About"].iloc[0]
    assert run("audit", "--db", str(tmp_path / "missing.duckdb")).returncode == 2


def test_the_csv_writer_neutralises_formulas_and_marks_analyst_files():
    frame = pd.DataFrame({"=cmd|' /C calc'!A0": ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tx", "\ry",
                                                   "plain"], "n": [1, -2, 3, 4, 5, 6, 7]})
    text = csv_text(frame)
    rows = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert list(rows.columns) == ["'=cmd|' /C calc'!A0", "n"]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in rows.iloc[:, 0])
    assert rows["n"].tolist()[1] == "-2"  # numbers stay numbers
    assert csv_text(frame, "analyst").splitlines()[0] == MARKING
    assert file_name("x", "analyst") == "OFFICIAL-SENSITIVE_x.csv" and file_name("x") == "x.csv"


def test_the_command_line_refuses_a_threshold_below_five(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli_main(["indicators", "--db", str(tmp_path / "x.duckdb"), "--mode", "workshop", "--threshold", "1"])
    assert exit_.value.code != 0 and "never lowered below 5" in capsys.readouterr().err


def test_an_import_of_a_store_is_logged_with_who_did_it(tmp_path, monkeypatch):
    from tests.test_ingest import EXAMPLES, TEST_KEY
    monkeypatch.setenv("CL_PSEUDONYM_KEY", TEST_KEY)
    con = store.connect(tmp_path / "s.duckdb", create=True)
    files = [(p.name, p.read_bytes()) for p in sorted(EXAMPLES.glob("*.csv"))]
    assert admin.upload(con, ANALYST, files).report.rows_loaded == 12
    assert con.execute("SELECT who, event FROM access_log").fetchall() == [("analyst@example.org", "imported")]

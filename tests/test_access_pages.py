"""What each person sees through the app (AppTest): a visitor to a real store, a participant's phone,
signed-in staff by role, a local account, and the open demo. Checked on what is on screen."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cl_metrics import store
from cl_metrics.access import accounts
from cl_metrics.access import log as access_log
from cl_metrics.ingest import import_files, pseudonym
from synthetic.generate import write_store
from tests.conftest import ANALYST, APP, signed_in
from tests.test_ingest import EXAMPLES, TEST_KEY

PAGES = ["overview", "domain", "voice", "lab", "workshop", "data_map", "data_quality", "data"]


@pytest.fixture(scope="module")
def real_store(tmp_path_factory) -> Path:
    """A store of real data: the example 903 files (four young people), imported."""
    path = tmp_path_factory.mktemp("access") / "real.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(pseudonym.KEY_ENV, TEST_KEY)
        con = store.connect(path, create=True)
        import_files(con, sorted(EXAMPLES.glob("*.csv")))
        con.close()
    return path


@pytest.fixture()
def no_staff_file(tmp_path, monkeypatch) -> Path:
    """No local accounts unless a test adds some (a developer's own staff file must not leak in)."""
    path = tmp_path / "staff.toml"
    monkeypatch.setenv(accounts.STAFF_ENV, str(path))
    return path


def app(path: Path, monkeypatch, page: str | None = None, **query: str) -> AppTest:
    monkeypatch.setenv(store.STORE_ENV, str(path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    return at


def run(at: AppTest, page: str | None = None) -> AppTest:
    """Run the app, then open `page` if this person's navigation has it; a page it lacks cannot be
    opened at all (AppTest refuses to switch to it; a browser's URL falls back to the default page)."""
    at.run()
    if page:
        try:
            at.switch_page(f"pages/{page}.py")
        except ValueError as exc:
            assert "Could not find a navigation page" in str(exc)
        at.run()
    assert not at.exception, at.exception
    return at


def everything(at: AppTest) -> str:
    kinds = ["markdown", "caption", "title", "header", "subheader", "success", "error", "warning", "info"]
    cells = [d.value.astype(str).to_numpy().ravel().tolist() for d in at.dataframe]
    return " ".join([str(e.value) for k in kinds for e in at.get(k)] + [m.value for m in at.metric] + sum(cells, []))


@pytest.mark.parametrize("page", PAGES)
def test_a_visitor_to_a_real_store_without_sign_in_sees_workshop_mode_only(real_store, monkeypatch, no_staff_file,
                                                                           page):
    at = run(app(real_store, monkeypatch, mode="Analyst"), page)
    ctx = at.session_state["_context"]
    assert (ctx.actor.role, ctx.mode, ctx.view) == ("viewer", "workshop", "staff")
    assert "mode" not in [r.key for r in at.radio]  # no switch, and the URL's mode=Analyst raised nothing
    assert "Safe to share only" in everything(at) and "OFFICIAL-SENSITIVE" not in everything(at)
    assert at.sidebar.children  # a viewer reads the workshop-mode pages with their sidebar
    shown = everything(at)
    for forbidden in ("Create workshop", "Save as a new candidate", "The refused rows", "Flagged records",
                      "Access log"):
        assert forbidden not in shown and forbidden not in [b.label for b in at.button]


@pytest.mark.parametrize("page", [*PAGES, "sign_in"])
def test_a_visitor_to_a_real_store_with_sign_in_may_only_join_a_workshop(real_store, monkeypatch, no_staff_file,
                                                                         page):
    at = app(real_store, monkeypatch, mode="Analyst")
    at.secrets["auth"] = signed_in(AppTest.from_file(APP)).secrets["auth"]
    at = run(at, page)
    ctx = at.session_state["_context"]
    assert (ctx.actor.role, ctx.mode, ctx.view) == ("participant", "workshop", "join")
    if page != "sign_in":
        assert [t.value for t in at.title] == ["Join a workshop"]
        assert not at.sidebar.children and not at.radio and not at.dataframe and not at.metric


def test_a_signed_in_analyst_sees_exact_counts_and_a_viewer_does_not(real_store, monkeypatch, no_staff_file):
    analyst = run(signed_in(app(real_store, monkeypatch)), "data_quality")
    analyst.radio(key="mode").set_value("analyst").run()
    assert "Analyst mode: exact figures" in everything(analyst)
    assert "fewer than 5" not in everything(analyst) and "100.0%" in everything(analyst)  # of 4 rows
    assert "4 young people" in " ".join(m.value for m in analyst.sidebar.markdown)
    viewer = run(signed_in(app(real_store, monkeypatch), "viewer"), "data_quality")
    assert "mode" not in [r.key for r in viewer.radio]
    assert "fewer than 5 young people" in " ".join(m.value for m in viewer.sidebar.markdown)
    assert "fewer than 5" in everything(viewer) and "100.0%" not in everything(viewer)
    log = access_log.entries(analyst.session_state["_context"].cursor(), ANALYST)
    assert {"signed in", "switched to analyst mode"} <= set(log["What"])


def test_a_local_account_signs_in_with_its_password_and_a_wrong_one_is_refused(real_store, monkeypatch,
                                                                               no_staff_file):
    accounts.add("sam", "facilitator", "a long enough password", no_staff_file)
    at = run(app(real_store, monkeypatch), "sign_in")
    assert at.session_state["_context"].actor.role == "participant"
    at.text_input(key="sign_in_name").input("sam")
    at.text_input(key="sign_in_password").input("not the password")
    at.button[0].click().run()
    assert "do not match an account" in everything(at)
    assert at.session_state["_context"].actor.role == "participant"
    at.text_input(key="sign_in_name").input("sam")
    at.text_input(key="sign_in_password").input("a long enough password")
    next(b for b in at.button if b.label == "Sign in").click().run()
    actor = at.session_state["_context"].actor
    assert (actor.name, actor.role, actor.how) == ("sam", "facilitator", "local account")
    assert "signed in as sam" in everything(at).lower()
    log = access_log.entries(at.session_state["_context"].cursor(), ANALYST)
    assert "a long enough password" not in log.to_string() and "not the password" not in log.to_string()
    assert {"sign-in refused", "signed in"} <= set(log["What"])


def test_the_open_demo_says_so_and_opens_everything(tmp_path, monkeypatch, no_staff_file):
    demo = write_store(tmp_path / "demo.duckdb", people=200, seed=3)
    at = run(app(demo, monkeypatch))
    actor = at.session_state["_context"].actor
    assert (actor.role, actor.how) == ("analyst", "open demo")
    assert "Open demo." in everything(at)
    assert at.radio(key="mode").value == "analyst"  # a synthetic store opens with its full detail

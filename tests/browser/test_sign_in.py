"""Who may see what, in a real browser against a real `streamlit run` on a store built from imported
903 files, with a real OpenID Connect provider (oidc-provider-mock) started by the test and a local
staff account beside it. Assertions are on what is on screen, never on widget state."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import streamlit_page as sp
from cl_metrics import session, store
from cl_metrics import workshop as ws
from cl_metrics.access import Principal, accounts
from cl_metrics.indicators import builtin
from cl_metrics.ingest import import_files, pseudonym

ROOT = Path(__file__).resolve().parents[2]
KEY = "browser-test-key-not-secret-0123"
STAFF = {"ana@council.test": "analyst", "vic@council.test": "viewer"}
LOCAL_NAME, LOCAL_PASSWORD = "fran", "a long local password"
STAFF_PAGES = ["", "domain", "voice", "lab", "workshop", "data_map", "data_quality", "data", "sign_in"]
# Two OC3 rows with no header row: the 'OC3 row with no header row' check fails for exactly 2 records.
ORPHANS = "ORPHAN01,01/06/2004,YES,F5,U1\nORPHAN02,01/07/2004,YES,F5,U1\n"


@pytest.fixture(scope="module")
def real_store(tmp_path_factory) -> tuple[Path, str, str]:
    """A store imported from the example 903 files (plus two orphan OC3 rows), with an open workshop
    and an ended one; returns the store and the two join codes."""
    folder = tmp_path_factory.mktemp("real")
    files = [p for p in sorted((ROOT / "data" / "examples").glob("*.csv")) if "oc3" not in p.name]
    oc3 = folder / "ssda903_2023-24_oc3.csv"
    oc3.write_text((ROOT / "data" / "examples" / "ssda903_2023-24_oc3.csv").read_text() + ORPHANS)
    path = folder / "real.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(pseudonym.KEY_ENV, KEY)
        con = store.connect(path, create=True)
        import_files(con, [*files, oc3])
        con.close()
    opened = session.open_store(path)
    facilitator = Principal("setup", "facilitator", "command line")
    running = ws.create_workshop(opened, facilitator, "Youth centre", builtin()[:2])
    ended = ws.create_workshop(opened, facilitator, "Last week", builtin()[:1])
    ws.close_workshop(opened, facilitator, ended.id)
    opened.connection.close()
    return path, running.join_code, ended.join_code


@pytest.fixture(scope="module")
def provider():
    """A real OpenID Connect provider on a free port, knowing two staff by e-mail."""
    from oidc_provider_mock import User, run_server_in_thread
    users = [User(sub=email, claims={"email": email, "name": email.split("@")[0]}) for email in STAFF]
    with run_server_in_thread(user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def signed_in_app(real_store, provider, tmp_path_factory):
    """The app with sign-in set up: the provider in secrets' [auth], e-mails mapped to roles, and a
    local account in a staff file."""
    folder = tmp_path_factory.mktemp("signin")
    port = sp.free_port()
    (folder / ".streamlit").mkdir()
    emails = "\n".join(f'"{email}" = "{role}"' for email, role in STAFF.items())
    (folder / ".streamlit" / "secrets.toml").write_text(
        f'[auth]\nredirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a test cookie secret, not a real one"\n'
        f'client_id = "care-leaver-dashboard"\nclient_secret = "test secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n\n'
        f"[access.emails]\n{emails}\n")
    staff_file = folder / "staff.toml"
    accounts.add(LOCAL_NAME, "facilitator", LOCAL_PASSWORD, staff_file)
    with sp.streamlit_server(real_store[0], folder / "streamlit.log", folder=folder, port=port,
                             env={accounts.STAFF_ENV: str(staff_file)}) as url:
        yield url, staff_file


@pytest.fixture(scope="module")
def open_app(real_store, tmp_path_factory):
    """The same real store with no sign-in set up at all: workshop mode only, for everyone."""
    folder = tmp_path_factory.mktemp("nosignin")
    copy = folder / "copy.duckdb"
    shutil.copy(real_store[0], copy)
    with sp.streamlit_server(copy, folder / "streamlit.log") as url:
        yield url


def go(page, url: str) -> None:
    page.goto(url)
    sp.settle(page)


def chrome(page) -> dict[str, int]:
    """What of the app's chrome is on screen: navigation, sidebar, a mode switch, facilitator controls."""
    return {"navigation": page.get_by_test_id("stSidebarNav").count(),
            "sidebar": page.get_by_test_id("stSidebar").count(),
            "mode switch": page.get_by_role("radiogroup", name="Mode").count(),
            "facilitator": page.get_by_role("button", name=re.compile("End this workshop|Create workshop")).count(),
            "sidebar toggle": page.get_by_test_id("stExpandSidebarButton").count()}


NO_CHROME = {"navigation": 0, "sidebar": 0, "mode switch": 0, "facilitator": 0, "sidebar toggle": 0}


def test_a_phone_at_any_code_sees_the_card_flow_or_the_code_box_and_nothing_else(phone, signed_in_app, real_store,
                                                                                  artifacts):
    url, _ = signed_in_app
    _, running, ended = real_store
    for code, expected in ((running, "Youth centre"), ("WRONG", "Join a workshop"), (ended, "Join a workshop")):
        go(phone, f"{url}/workshop?code={code}&mode=Analyst")
        assert sp.exceptions(phone) == []
        assert phone.locator("h1").first.inner_text() == expected
        assert chrome(phone) == NO_CHROME, code
        assert phone.get_by_role("link", name="Staff sign-in").count() == 0  # no route anywhere from a code
    sp.screenshot(phone, artifacts, "access-phone-ended-code")
    assert phone.get_by_text("This workshop has ended. Thank you for taking part.").is_visible()
    go(phone, f"{url}/workshop?code=WRONG")
    assert phone.get_by_text("That code does not open a workshop").is_visible()
    assert phone.get_by_label(re.compile("Type the join code")).is_visible()
    sp.screenshot(phone, artifacts, "access-phone-wrong-code")
    go(phone, f"{url}/workshop?code={running}")
    assert phone.get_by_role("button", name="Send my answer").is_visible()
    sp.screenshot(phone, artifacts, "access-phone-good-code")


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_an_anonymous_visitor_to_a_real_store_with_sign_in_gets_the_join_page_only(page, signed_in_app, path):
    url, _ = signed_in_app
    go(page, f"{url}/{path}?mode=Analyst")
    assert sp.exceptions(page) == []
    if path == "sign_in":
        assert page.locator("h1").first.inner_text() == "Staff sign-in"
        assert page.get_by_role("button", name="Sign in with your council account").is_visible()
    else:
        assert page.locator("h1").first.inner_text() == "Join a workshop"
    assert chrome(page) == NO_CHROME
    assert page.get_by_test_id("stMetric").count() == 0 and page.get_by_test_id("stDataFrame").count() == 0


@pytest.mark.parametrize("path", STAFF_PAGES[:-1])
def test_analyst_in_the_url_of_a_real_store_without_sign_in_shows_workshop_mode_only(page, open_app, path):
    go(page, f"{open_app}/{path}?mode=Analyst")
    assert sp.exceptions(page) == []
    text = page.locator("body").inner_text()
    assert "Safe to share only." in text and "OFFICIAL-SENSITIVE" not in text and "exact figures" not in text
    assert chrome(page)["mode switch"] == 0 and chrome(page)["facilitator"] == 0
    links = page.get_by_test_id("stSidebarNav").get_by_role("link").all_inner_texts()
    assert not {"Indicator lab", "Workshop"} & set(links) and "Data quality" in links
    if path == "data_quality":
        assert "fewer than 5" in text and "Flagged records" not in text


def sign_in_with_provider(page, url: str, email: str) -> None:
    """Through the provider's own login page, as a person does it."""
    go(page, f"{url}/sign_in")
    page.get_by_role("button", name="Sign in with your council account").click()
    page.wait_for_url(re.compile(r"/oauth2/authorize"))
    page.get_by_role("button", name=email).click()  # the provider's page: a known user
    page.wait_for_url(re.compile(r"^" + re.escape(url)))
    sp.settle(page)


def sidebar_text(page) -> str:
    """The sidebar's words as read (untrusted text carries invisible word joiners: cl_metrics.text)."""
    return page.get_by_test_id("stSidebar").inner_text().replace("\u2060", "")


def staff_links(page) -> list[str]:
    return page.get_by_test_id("stSidebarNav").get_by_role("link").all_inner_texts()


def test_an_analyst_signs_in_with_the_provider_and_sees_exact_counts(page, signed_in_app, artifacts):
    url, _ = signed_in_app
    sign_in_with_provider(page, url, "ana@council.test")
    assert "Signed in as ana@council.test (analyst)" in sidebar_text(page)
    assert staff_links(page) == ["Overview", "Domains", "Voice", "Indicator lab", "Workshop", "Data map",
                                 "Data quality", "Import and store", "Staff sign-in"]
    go(page, f"{url}/data_quality?mode=Analyst")
    text = page.locator("body").inner_text()
    assert "OFFICIAL-SENSITIVE" in text and "Analyst mode: every count is exact." in text
    assert page.get_by_text("Flagged records (2)").is_visible()  # the two orphan rows, exactly
    sp.screenshot(page, artifacts, "access-analyst-data-quality")
    go(page, f"{url}/data?mode=Analyst")
    assert page.get_by_role("heading", name="Access log").is_visible()


def test_a_viewer_signs_in_and_gets_exactly_the_viewer_pages_without_exact_counts(page, signed_in_app, artifacts):
    url, _ = signed_in_app
    sign_in_with_provider(page, url, "vic@council.test")
    assert "Signed in as vic@council.test (viewer)" in sidebar_text(page)
    assert staff_links(page) == ["Overview", "Domains", "Voice", "Join a workshop", "Data map", "Data quality",
                                 "Import and store", "Staff sign-in"]
    go(page, f"{url}/data_quality?mode=Analyst")
    text = page.locator("body").inner_text()
    assert chrome(page)["mode switch"] == 0 and "OFFICIAL-SENSITIVE" not in text
    assert "fewer than 5" in text and "Flagged records" not in text
    sp.screenshot(page, artifacts, "access-viewer-data-quality")


def test_a_local_account_signs_in_with_its_password_and_a_wrong_one_is_refused(page, signed_in_app, artifacts):
    url, staff_file = signed_in_app
    go(page, f"{url}/sign_in")
    page.get_by_role("textbox", name="Name").fill(LOCAL_NAME)
    page.get_by_role("textbox", name="Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in", exact=True).click()
    sp.settle(page)
    assert page.get_by_text("That name and password do not match an account.").is_visible()
    assert page.get_by_test_id("stSidebarNav").count() == 0
    page.get_by_role("textbox", name="Name").fill(LOCAL_NAME)
    page.get_by_role("textbox", name="Password").fill(LOCAL_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    sp.settle(page)
    assert page.get_by_text(f"You are signed in as {LOCAL_NAME}, with the facilitator role.").is_visible()
    assert "Workshop" in staff_links(page) and "Indicator lab" not in staff_links(page)
    sp.screenshot(page, artifacts, "access-local-signed-in")
    stored = staff_file.read_text()
    assert LOCAL_PASSWORD not in stored and "$argon2id$" in stored

"""Shared fixtures: small synthetic stores built once per test session."""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cl_metrics.access import Principal
from synthetic.generate import write_store

APP = str(Path(__file__).resolve().parent.parent / "app.py")
# Signed-in staff for calls to guarded library functions (cl_metrics.access.require).
VIEWER = Principal("viewer@example.org", "viewer", "identity provider")
FACILITATOR = Principal("facilitator@example.org", "facilitator", "identity provider")
MANAGER = Principal("manager@example.org", "manager", "identity provider")
ANALYST = Principal("analyst@example.org", "analyst", "identity provider")
SMALL_PEOPLE = 1500
SMALL_SEED = 11


@pytest.fixture(scope="session")
def small_store(tmp_path_factory) -> str:
    """A county-sized synthetic store (read it, do not write to it)."""
    path = tmp_path_factory.mktemp("stores") / "small.duckdb"
    write_store(path, people=SMALL_PEOPLE, seed=SMALL_SEED)
    return str(path)


@pytest.fixture()
def small_con(small_store):
    con = duckdb.connect(small_store)  # same config as the app, so one in-process instance is shared
    yield con
    con.close()


@pytest.fixture(autouse=True)
def navigation_v2_in_apptest(monkeypatch):
    """Keep AppTest on st.navigation across reruns.

    AppTest resets PagesManager.uses_pages_directory before every run, and because our pages
    live in `pages/` it then takes the old pages-directory path on reruns: it runs the page
    without app.py, so the shared sidebar vanishes. (A real server meets the same quirk on a
    deep link into a fresh process; pages.common.current handles it there.)
    """
    from streamlit.runtime.pages_manager import PagesManager
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture()
def reading_ease(monkeypatch):
    """Flesch reading ease as the app computes it (offline; see cl_metrics/readability.py)."""
    from cl_metrics.readability import flesch_reading_ease
    return flesch_reading_ease


def build_store(path, rows: dict[str, list[dict]]):
    """A store holding exactly `rows` (table -> list of column dicts), with person_year derived."""
    from cl_metrics import derived, store
    con = store.connect(path, create=True)
    for table, records in rows.items():
        for record in records:
            columns = ", ".join(f'"{c}"' for c in record)
            con.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(record))})",
                        list(record.values()))
    derived.refresh(con)
    return con


def signed_in(at: AppTest, role: str = "analyst") -> AppTest:
    """`at` as a member of staff signed in through an identity provider, their e-mail mapped to `role`
    in secrets (AppTest stands in for the provider: st.user says who is logged in)."""
    email = f"{role}@example.org"
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "test secret",
                          "client_id": "dashboard", "client_secret": "not used",
                          "server_metadata_url": "http://localhost:9/.well-known/openid-configuration"}
    at.secrets["access"] = {"emails": {email: role}}
    at.user = {"is_logged_in": True, "email": email}
    return at


def open_app_page(store_path, monkeypatch, page: str, mode: str) -> AppTest:
    """The app on `store_path` as a signed-in analyst, switched to pages/`page` in `mode`, checked to
    have run cleanly."""
    monkeypatch.setenv("CL_STORE", str(store_path))
    at = signed_in(AppTest.from_file(APP, default_timeout=60)).run()
    at.switch_page(f"pages/{page}").run()
    at.radio(key="mode").set_value(mode).run()
    assert not at.exception, at.exception
    return at


def as_read(markdown: str) -> str:
    """Markdown as a reader sees it: backslash escapes and word joiners (cl_metrics.text.plain) removed."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The table on screen that has `column` (AppTest does not show st.dataframe keys)."""
    return next(d.value for d in at.dataframe if column in d.value.columns).reset_index(drop=True)


@pytest.fixture()
def opened(tmp_path):
    """An OpenStore on a store with only the schema: enough for app writes, and fast."""
    from cl_metrics import session, store
    store.connect(tmp_path / "empty.duckdb", create=True).close()
    yielded = session.open_store(tmp_path / "empty.duckdb")
    yield yielded
    yielded.connection.close()


def store_with_words(folder: Path, name: str, team: str, theme: Callable[[int], str], note: Callable[[int], str],
                     key: str) -> Path:
    """A store of the example 903 files and four young people (FAKE0001-4) whose adviser team is `team`,
    with a voice note each whose theme and text are `theme(i)` and `note(i)`: words a hostile file
    could hold, for the tests that check they stay text."""
    from cl_metrics import store
    from cl_metrics.ingest import import_files, pseudonym

    young_person = folder / "young_person.csv"
    young_person.write_text("CHILD,category,disability,uasc,date_left_care,pa_team,pa_name\n" + "".join(
        f'FAKE000{i},former relevant,0,0,14/06/2022,"{team}",Someone\n' for i in range(1, 5)))
    voice = folder / "voice_note.csv"
    voice.write_text("CHILD,note_date,domain,theme,speaker,consent,text\n" + "".join(
        f'FAKE000{i},20/10/2023,accommodation,"{theme(i)}",young person,1,"{note(i)}"\n' for i in range(1, 5)))
    path = folder / name
    examples = Path(APP).parent / "data" / "examples"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(pseudonym.KEY_ENV, key)
        con = store.connect(path, create=True)
        import_files(con, [*sorted(examples.glob("*.csv")), young_person, voice], year=2024)
        con.close()
    return path

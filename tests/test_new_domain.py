"""A new domain is data only: a ninth domain, declared in a copy of the configuration the way a user
would (its entry, a local table and its template, two indicators, a data-map item, statements), shows
on every page that lists domains, with no code change."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cl_metrics import config, derived, store
from cl_metrics.domains import domain_ids
from cl_metrics.spec import spec
from synthetic.generate import write_store
from tests.conftest import APP, signed_in, table_with

REPOSITORY = Path(__file__).resolve().parent.parent
NINTH = "digital_inclusion"
DOMAIN = '''
[[domain]]
id = "digital_inclusion"
name = "Digital inclusion"
status = "prototype"
summary = "A phone or laptop of their own, and confidence online."
'''
TABLE = '''
[tables.digital_record]
title = "Digital inclusion"
annual = true
person_year_latest_by = "recorded_on"
columns = [
  { name = "CHILD", type = "VARCHAR", required = true },
  { name = "recorded_on", type = "DATE" },
  { name = "has_device", type = "BOOLEAN", label = "Has a phone or laptop of their own", domain = "digital_inclusion", voice = "worker-recorded" },
  { name = "yp_online_confident", type = "BOOLEAN", label = "I feel confident doing things online", domain = "digital_inclusion", voice = "self-reported" },
]
'''
TEMPLATE = "CHILD,recorded_on,has_device,yp_online_confident\nA1,01/06/2023,1,1\nA2,12/09/2023,0,\nA3,03/02/2024,1,0\n"


def indicator(id_: str, field: str, voice: str, title: str, question: str, description: str) -> str:
    """A percentage indicator's declaration in builtin.toml, as a user writes one: those with `field`
    answered or recorded, and of them those for whom it is true."""
    return f'''
[[indicator]]
id = "{id_}"
domain = "digital_inclusion"
status = "prototype"
title = "{title}"
question = "{question}"
description = "{description}"
unit = "percent"
better = "higher"
voice = "{voice}"
population = [{{ field = "{field}", op = "not_null" }}]
numerator = [{{ field = "{field}", op = "is_true" }}]
'''


INDICATORS = (indicator("dig_has_device", "has_device", "worker-recorded", "Has a device of their own",
                        "Do you have a phone or laptop of your own?",
                        "Young people recorded as having a phone or laptop of their own, of those with a record.")
              + indicator("dig_online_confident", "yp_online_confident", "self-reported", "Confident online",
                          "Do you feel confident doing things online?",
                          "Young people who said they feel confident doing things online, of those who answered."))
DATA_MAP_ITEM = '''
[[item]]
domain = "digital_inclusion"
item = "Phone or laptop of their own"
case_record = "Pathway plan: independence"
voice = "worker-recorded"
held = "digital_record.has_device"
known_from = "A service manager's trial of a ninth domain"
'''
STATEMENTS = '''
[[situation]]
domain = "digital_inclusion"
id = "connected"
fits = "trust"

[[statement]]
domain = "digital_inclusion"
situation = "connected"
speaker = "young person"
text = "My PA helped me get a phone so I can ring the doctor."

[[statement]]
domain = "digital_inclusion"
situation = "connected"
speaker = "worker"
text = "Helped him set up online banking on his new phone."
'''
# Known inputs: 20 young people of the latest year with a record; 15 have a device (75.0%),
# 10 answered the question and 4 of them feel confident online (40.0%).
DEVICE = [True] * 15 + [False] * 5
CONFIDENT = [True] * 4 + [False] * 6 + [None] * 10


def declare(folder: Path, with_indicators: bool) -> None:
    """What a user adds, file by file, for a ninth domain: no Python."""
    def append(relative: str, text: str) -> None:
        with open(folder / relative, "a", encoding="utf-8") as fh:
            fh.write(text)
    append("cl_metrics/domains.toml", DOMAIN)
    append("cl_metrics/specs/local.toml", TABLE)
    (folder / "data/templates/digital_record.csv").write_text(TEMPLATE, encoding="utf-8")
    append("cl_metrics/specs/data_map.toml", DATA_MAP_ITEM)
    append("synthetic/statements.toml", STATEMENTS)
    if with_indicators:
        append("cl_metrics/indicators/builtin.toml", INDICATORS)


def configured_store(tmp_path: Path, monkeypatch, with_indicators: bool) -> Path:
    """A copy of the repository's configuration with the ninth domain declared, in force (CL_CONFIG), and a
    small synthetic store built under it, holding the known digital records."""
    folder = tmp_path / "config"
    shutil.copytree(REPOSITORY / "cl_metrics", folder / "cl_metrics",
                    ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    shutil.copytree(REPOSITORY / "data/templates", folder / "data/templates")
    (folder / "synthetic").mkdir()
    shutil.copy(REPOSITORY / "synthetic/statements.toml", folder / "synthetic")
    declare(folder, with_indicators)
    monkeypatch.setenv(config.CONFIG_ENV, str(folder))
    config.reload()
    path = write_store(tmp_path / "ninth.duckdb", people=300, seed=9)
    con = store.connect(path)
    year, children = con.execute("SELECT max(collection_year), list(DISTINCT CHILD ORDER BY CHILD)[1:20] "
                                 "FROM person_year WHERE collection_year = (SELECT max(collection_year) "
                                 "FROM person_year)").fetchone()
    con.executemany("INSERT INTO digital_record VALUES (?, ?, ?, ?, ?)",
                    [[child, None, device, confident, year]
                     for child, device, confident in zip(children, DEVICE, CONFIDENT)])
    derived.refresh(con)
    con.close()
    return path


@pytest.fixture()
def ninth_domain(tmp_path, monkeypatch):
    yield configured_store(tmp_path, monkeypatch, with_indicators=True)
    forget(monkeypatch)


@pytest.fixture()
def ninth_domain_without_indicators(tmp_path, monkeypatch):
    yield configured_store(tmp_path, monkeypatch, with_indicators=False)
    forget(monkeypatch)


def forget(monkeypatch) -> None:
    """Back to the repository's own configuration, and no store left open by the app."""
    from pages.common import open_store
    open_store.clear()
    monkeypatch.delenv(config.CONFIG_ENV)
    config.reload()


def open_page(store_path: Path, monkeypatch, page: str) -> AppTest:
    monkeypatch.setenv("CL_STORE", str(store_path))
    at = signed_in(AppTest.from_file(APP, default_timeout=60)).run()
    at.switch_page(f"pages/{page}").run()
    at.radio(key="mode").set_value("analyst").run()
    assert not at.exception, at.exception
    return at


def test_the_copy_declares_nine_domains(ninth_domain):
    assert domain_ids()[-1] == NINTH and len(domain_ids()) == 9


def test_overview_shows_the_ninth_domain_and_its_figures(ninth_domain, monkeypatch):
    at = open_page(ninth_domain, monkeypatch, "overview.py")
    assert [h.value for h in at.subheader][-1] == "Digital inclusion"
    assert len(at.subheader) == 9
    assert at.title[0].value == "Care leaver information: the nine domains"
    assert "Four established domains, reported nationally, beside five prototype domains" in at.caption[0].value
    figures = {m.label: m.value for m in at.metric}
    assert figures["Has a device of their own"] == "75.0%"
    assert figures["Confident online"] == "40.0%"


def test_domain_page_shows_the_ninth_domain(ninth_domain, monkeypatch):
    at = open_page(ninth_domain, monkeypatch, "domain.py")
    at.selectbox(key="domain").set_value(NINTH).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Digital inclusion"
    assert at.selectbox(key="indicator").options == ["Has a device of their own", "Confident online"]
    assert {m.label: m.value for m in at.metric} == {"Has a device of their own": "75.0%", "Confident online": "40.0%"}


def test_data_map_lists_the_ninth_domain_and_finds_its_item_held(ninth_domain, monkeypatch):
    at = open_page(ninth_domain, monkeypatch, "data_map.py")
    at.selectbox(key="map_domain").set_value(NINTH).run()
    assert not at.exception, at.exception
    items = table_with(at, "item")
    assert list(items["item"]) == ["Phone or laptop of their own"]
    assert list(items["held_in_store"]) == ["yes"]


def test_data_page_offers_every_template_including_the_ninth(ninth_domain, monkeypatch):
    at = open_page(ninth_domain, monkeypatch, "data.py")
    local = [t.title for t in spec().local_tables()]
    assert len(local) == 9 and local[-1] == "Digital inclusion"
    assert set(local) <= {b.label for b in at.get("download_button")}


def test_lab_offers_the_ninth_domain_and_starts_from_its_indicators(ninth_domain, monkeypatch):
    at = open_page(ninth_domain, monkeypatch, "lab.py")
    assert "Digital inclusion" in at.selectbox(key="lab_domain").options
    at.selectbox(key="lab_start").set_value("builtin:dig_online_confident").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="lab_domain").value == NINTH
    assert any("beside the built-ins of Digital inclusion" in s.value for s in at.subheader)


def test_the_generator_writes_the_ninth_domains_statements(ninth_domain):
    con = store.connect(ninth_domain)
    said = con.execute("SELECT DISTINCT theme FROM voice_note WHERE domain = ?", [NINTH]).fetchall()
    con.close()
    assert said == [("connected",)]


def test_a_domain_without_indicators_says_so(ninth_domain_without_indicators, monkeypatch):
    at = open_page(ninth_domain_without_indicators, monkeypatch, "domain.py")
    at.selectbox(key="domain").set_value(NINTH).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Digital inclusion"
    assert [i.value for i in at.info] == ["This domain has no indicators yet. A manager can try one in the Indicator lab."]
    assert not at.metric


def test_cl_metrics_never_imports_the_generator():
    """Layers run one way: synthetic writes the store with cl_metrics, never the reverse (the Data page
    hands the generator to the regenerate action)."""
    program = ("import pkgutil, importlib, sys, cl_metrics\n"
               "for module in pkgutil.walk_packages(cl_metrics.__path__, 'cl_metrics.'):\n"
               "    importlib.import_module(module.name)\n"
               "print(sorted(m for m in sys.modules if m.split('.')[0] in ('synthetic', 'streamlit')))")
    done = subprocess.run([sys.executable, "-c", program], cwd=REPOSITORY, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"

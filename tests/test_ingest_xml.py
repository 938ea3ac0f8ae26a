"""The 903 return as DfE's XML: the same rows, spec and flags as its CSV files, and hostile XML refused
unread."""
from __future__ import annotations

import pytest

from cl_metrics import store
from cl_metrics.ingest import import_files, pseudonym

TEST_KEY = "test-key-not-secret-0123456789"

# Two children: X1, a care leaver with a review, a missing episode and an episode of care (and OC3
# codes that break 2023-24's spec), and X2, looked after, with OC2 and an impossible date of birth.
RETURN_XML = """<?xml version="1.0" encoding="utf-8"?>
<EXPSSDA903>
  <CHILD>
    <HEADER>
      <CHILDID>X1</CHILDID><UPN>A123456789012</UPN><SEX>2</SEX><DOB>14/05/2003</DOB><ETHNIC>WBRI</ETHNIC>
      <UASC />
      <IN_TOUCH>DIED</IN_TOUCH><ACTIV>F3</ACTIV><ACCOM>01</ACCOM>
      <AREVIEW><REVIEW>01/06/2023</REVIEW><REVIEW_CODE>PN1</REVIEW_CODE></AREVIEW>
      <MOTHER>1.0</MOTHER><MC_DOB>01/02/2022</MC_DOB>
      <AMISSING><MISSING>M</MISSING><MIS_START>02/06/2023</MIS_START><MIS_END>01/06/2023</MIS_END></AMISSING>
    </HEADER>
    <EPISODE>
      <DECOM>01/09/2016</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U1</PL><PL_POST>YO1 0</PL_POST>
      <HOME_POST>YO30 4</HOME_POST><URN>XXXXXXX</URN><PLACE_PROVIDER>PR1</PLACE_PROVIDER><DEC>14/05/2021</DEC>
      <REC>E17</REC><REASON_PLACE_CHANGE />
    </EPISODE>
  </CHILD>
  <CHILD>
    <HEADER>
      <CHILDID>X2</CHILDID><UPN>UN3</UPN><SEX>1</SEX><DOB>31/02/2012</DOB><ETHNIC>wbri</ETHNIC><UASC />
      <OC2><SDQ_SCORE>41</SDQ_SCORE><CONVICTED>0</CONVICTED><HEALTH_CHECK>1</HEALTH_CHECK></OC2>
      <MOTHER /><MC_DOB />
    </HEADER>
  </CHILD>
</EXPSSDA903>
"""
# The same return as DfE's CSV files.
CSV_FILES = {
    "header": "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nX1,2,14/05/2003,WBRI,A123456789012,1.0,01/02/2022\n"
              "X2,1,31/02/2012,wbri,UN3,,\n",
    "oc3": "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\nX1,14/05/2003,DIED,F3,01\n",
    "reviews": "CHILD,DOB,REVIEW,REVIEW_CODE\nX1,14/05/2003,01/06/2023,PN1\n",
    "missing": "CHILD,DOB,MISSING,MIS_START,MIS_END\nX1,14/05/2003,M,02/06/2023,01/06/2023\n",
    "episodes": "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
                "X1,01/09/2016,S,C2,N1,U1,PR1,14/05/2021,E17,,YO30 4,YO1 0,XXXXXXX\n",
    "oc2": "CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,HEALTH_ASSESSMENT,"
           "SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED\nX2,31/02/2012,41,,0,1,,,,,,\n",
}
TABLES = ["header", "oc3", "reviews", "missing", "episodes", "oc2"]


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv(pseudonym.KEY_ENV, TEST_KEY)
    monkeypatch.setattr(pseudonym, "SECRETS_PATHS", [])


def contents(con) -> dict:
    """What a store holds, whatever the file form: every table's rows and every flag but its line and batch."""
    held = {t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"').fetchall())) for t in TABLES}
    held["flag"] = sorted(map(repr, con.execute(
        "SELECT kind, rule_id, table_name, collection_year, CHILD, field, value, detail FROM flag").fetchall()))
    return held


def test_an_xml_return_loads_the_same_rows_and_flags_as_its_csv_files(tmp_path):
    xml = tmp_path / "ssda903_2023-24.xml"
    xml.write_text(RETURN_XML, encoding="utf-8")
    con = store.connect(tmp_path / "xml.duckdb", create=True)
    report = import_files(con, [xml])
    assert [(f.table, f.status, f.collection_year, f.rows_loaded, f.rows_rejected) for f in report.files] == [
        ("header", "loaded", 2024, 2, 0), ("oc3", "loaded", 2024, 1, 0), ("reviews", "loaded", 2024, 1, 0),
        ("missing", "loaded", 2024, 1, 0), ("episodes", "loaded", 2024, 1, 0), ("oc2", "loaded", 2024, 1, 0)]
    flags = {f.table: f.flags for f in report.files}
    assert flags["oc3"] == {"344": 1, "code": 2}  # F3 (not a 2023-24 code), 01; died with codes
    assert flags["header"] == {"code": 1, "date": 1}  # wbri is not WBRI; 31/02/2012 is not a date
    assert flags["missing"] == {"missing_ends_before_start": 1} and flags["oc2"] == {"range": 1, "date": 1}
    from_xml = contents(con)
    con.close()
    csv = [tmp_path / f"{table}_2023-24.csv" for table in CSV_FILES]
    for path, text in zip(csv, CSV_FILES.values()):
        path.write_text(text, encoding="utf-8")
    con = store.connect(tmp_path / "csv.duckdb", create=True)
    import_files(con, csv)
    assert contents(con) == from_xml
    con.close()


@pytest.mark.parametrize("text, expect", [
    ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n'
     "<EXPSSDA903><CHILD><HEADER><CHILDID>&lol2;</CHILDID></HEADER></CHILD></EXPSSDA903>",
     "declares a document type or entities"),
    ('<?xml version="1.0"?>\n<!DOCTYPE x SYSTEM "file:///etc/passwd">\n<EXPSSDA903/>', "declares a document type"),
    ("<EXPSSDA903><CHILD><HEADER><CHILDID>X1</CHILDID></HEADER></CHILD>", "could not be read"),
    ("<NOTTHERETURN><CHILD/></NOTTHERETURN>", "not an SSDA903 return"),
])
def test_hostile_or_foreign_xml_is_refused_unread(tmp_path, text, expect):
    path = tmp_path / "return_2024.xml"
    path.write_text(text, encoding="utf-8")
    con = store.connect(tmp_path / "s.duckdb", create=True)
    report = import_files(con, [path])
    assert [f.status for f in report.files] == ["refused"] and expect in report.files[0].reason
    assert con.execute("SELECT count(*) FROM header").fetchone()[0] == 0
    con.close()

"""One small function per record rule of registry.toml: each returns the SQL that finds the rows
breaking it, as (CHILD, collection_year, field, detail[, table_name]).

Identifiers come from the spec and the registry (our own data); nothing from a file is pasted
into SQL. `Scope` gives a rule its parameters per collection year (e.g. OC3's age range).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cl_metrics.rules.sql import AGE_IN_YEAR, YEAR_END, columns, iso, shown, text
from cl_metrics.spec import spec


@dataclass(frozen=True)
class Scope:
    """What a rule's SQL may depend on: its parameters by collection year, and its declared params."""
    year_params: dict[int, dict[str, int]]
    params: dict[str, str]

    def per_year(self, name: str) -> str:
        """A year-dependent parameter as an SQL expression of collection_year."""
        whens = " ".join(f"WHEN {year} THEN {values[name]}" for year, values in sorted(self.year_params.items()))
        return f"(CASE collection_year {whens} END)"


CHECKS: dict[str, Callable[[Scope], str]] = {}
# Checks that look across several tables say which table each row is in (a table_name column).
ACROSS_TABLES: set[str] = set()


def check(name: str, across_tables: bool = False):
    """Register the function that finds the rows breaking a rule (or every rule naming it as `check`)."""
    def register(find: Callable[[Scope], str]) -> Callable[[Scope], str]:
        CHECKS[name] = find
        if across_tables:
            ACROSS_TABLES.add(name)
        return find
    return register


def _blank(column: str) -> str:
    return f"nullif(trim(CAST({column} AS VARCHAR)), '') IS NULL"


def _oc3_detail() -> str:
    return (f"'IN_TOUCH ' || {shown('IN_TOUCH')} || ', ACTIV ' || {shown('ACTIV')} "
            f"|| ', ACCOM ' || {shown('ACCOM')}")


def _male_codes() -> str:
    return ", ".join(text(code) for code, label in spec().labels["SEX"].items() if label == "Male")


@check("153")
def oc3_all_or_none(scope: Scope) -> str:
    blanks = " + ".join(f"({_blank(c)})::INTEGER" for c in ("IN_TOUCH", "ACTIV", "ACCOM"))
    return f"""SELECT CHILD, collection_year,
                      CASE WHEN {_blank('IN_TOUCH')} THEN 'IN_TOUCH' WHEN {_blank('ACTIV')} THEN 'ACTIV'
                           ELSE 'ACCOM' END AS field, {_oc3_detail()} AS detail
               FROM oc3 WHERE {blanks} IN (1, 2)"""


@check("344")
def died_or_home_with_activity(scope: Scope) -> str:
    coded = "(NOT {blank} AND {c} <> '0')"
    activ, accom = (coded.format(blank=_blank(c), c=c) for c in ("ACTIV", "ACCOM"))
    return f"""SELECT CHILD, collection_year, CASE WHEN {activ} THEN 'ACTIV' ELSE 'ACCOM' END AS field,
                      {_oc3_detail()} AS detail
               FROM oc3 WHERE IN_TOUCH IN ('DIED', 'RHOM') AND ({activ} OR {accom})"""


@check("345")
def in_touch_without_information(scope: Scope) -> str:
    return f"""SELECT CHILD, collection_year, CASE WHEN ACTIV = '0' THEN 'ACTIV' ELSE 'ACCOM' END AS field,
                      {_oc3_detail()} AS detail
               FROM oc3 WHERE IN_TOUCH = 'YES' AND (ACTIV = '0' OR ACCOM = '0')"""


def _accom_at_17(letter: str) -> str:
    return f"""SELECT CHILD, collection_year, 'ACCOM' AS field, 'ACCOM ' || ACCOM || ' at age ' || {AGE_IN_YEAR} AS detail
               FROM oc3 WHERE left(ACCOM, 1) = {text(letter)} AND {AGE_IN_YEAR} < 18"""


@check("3001")
def staying_put_at_17(scope: Scope) -> str:
    return _accom_at_17("Z")


@check("347")
def foyer_at_17(scope: Scope) -> str:
    return _accom_at_17("T")


@check("391")
def oc3_age(scope: Scope) -> str:
    top = scope.per_year("oc3_max_age")
    return f"""SELECT CHILD, collection_year, 'DOB' AS field,
                      'age ' || {AGE_IN_YEAR} || ' in the year; OC3 covers 17 to ' || {top} AS detail
               FROM oc3 WHERE {AGE_IN_YEAR} NOT BETWEEN 17 AND {top}"""


@check("s_x_suitable")
def s_x_suitable(scope: Scope) -> str:
    return """SELECT CHILD, collection_year, 'ACCOM' AS field, 'ACCOM ' || ACCOM AS detail
              FROM oc3 WHERE ACCOM IN ('S1', 'X1')"""


@check("oc3_duplicate")
def oc3_duplicate(scope: Scope) -> str:
    row = f"{shown('IN_TOUCH')} || '/' || {shown('ACTIV')} || '/' || {shown('ACCOM')}"
    return f"""SELECT CHILD, collection_year, 'CHILD' AS field,
                      count(*) || ' rows (IN_TOUCH/ACTIV/ACCOM): ' || string_agg({row}, '; ' ORDER BY rowid) AS detail
               FROM oc3 GROUP BY CHILD, collection_year HAVING count(*) > 1"""


@check("mother_not_female")
def mother_not_female(scope: Scope) -> str:
    return f"""SELECT CHILD, collection_year, 'MOTHER' AS field, 'SEX ' || SEX || ', MOTHER ' || MOTHER AS detail
               FROM header WHERE MOTHER IS NOT NULL AND SEX IN ({_male_codes()})"""


@check("174")
def mothers_child_of_a_male(scope: Scope) -> str:
    return f"""SELECT CHILD, collection_year, 'MC_DOB' AS field,
                      'SEX ' || SEX || ', MC_DOB ' || {iso('MC_DOB')} AS detail
               FROM header WHERE MC_DOB IS NOT NULL AND SEX IN ({_male_codes()})"""


def _tables_with(column: str) -> list[str]:
    return [t.name for t in spec().national_tables() if column in t.column_names]


@check("dob_in_future", across_tables=True)
def dob_in_future(scope: Scope) -> str:
    rows = " UNION ALL ".join(f"SELECT '{t}' AS table_name, CHILD, collection_year, DOB FROM {t}"
                              for t in _tables_with("DOB"))
    return f"""SELECT CHILD, collection_year, 'DOB' AS field, table_name,
                      'born ' || {iso('DOB')} || ', after the year''s end ' || {iso(YEAR_END)} AS detail
               FROM ({rows}) WHERE DOB > {YEAR_END}"""


@check("dob_after_episode_start")
def dob_after_episode_start(scope: Scope) -> str:
    return f"""SELECT e.CHILD, e.collection_year, 'DECOM' AS field,
                      'episode began ' || {iso('e.DECOM')} || ', born ' || {iso('h.DOB')} AS detail
               FROM episodes e JOIN header h USING (CHILD, collection_year) WHERE e.DECOM < h.DOB"""


@check("ends_before_start")
def ends_before_start(scope: Scope) -> str:
    start, end, table = scope.params["start"], scope.params["end"], scope.params["table"]
    return f"""SELECT CHILD, collection_year, '{end}' AS field,
                      '{start} ' || {iso(start)} || ', {end} ' || {iso(end)} AS detail
               FROM {table} WHERE "{end}" < "{start}" """


@check("exact_duplicate", across_tables=True)
def exact_duplicate(scope: Scope) -> str:
    tables = [t for t in spec().national_tables() if t.annual]
    rows = " UNION ALL ".join(
        f"SELECT '{t.name}' AS table_name, CHILD, collection_year, count(*) AS n FROM {t.name} "
        f"GROUP BY {columns(t.column_names)}, collection_year "
        f"HAVING count(*) > 1" for t in tables)
    return f"""SELECT CHILD, collection_year, NULL AS field, table_name,
                      n || ' identical rows' AS detail FROM ({rows})"""


@check("oc3_without_header")
def oc3_without_header(scope: Scope) -> str:
    return """SELECT CHILD, collection_year, 'CHILD' AS field, 'no header row in this year' AS detail
              FROM oc3 ANTI JOIN header USING (CHILD, collection_year)"""


@check("dob_differs")
def dob_differs(scope: Scope) -> str:
    rows = " UNION ALL ".join(f"SELECT '{t}' AS source, CHILD, collection_year, DOB FROM {t}"
                              for t in _tables_with("DOB"))
    return f"""
        WITH dobs AS (SELECT DOB, CHILD, collection_year, string_agg(DISTINCT source, ', ' ORDER BY source) AS sources
                      FROM ({rows}) WHERE DOB IS NOT NULL GROUP BY ALL)
        SELECT CHILD, collection_year, 'DOB' AS field,
               string_agg({iso('DOB')} || ' (' || sources || ')', '; ' ORDER BY DOB) AS detail
        FROM dobs GROUP BY ALL HAVING count(*) > 1"""


@check("contact_after_25")
def contact_after_25(scope: Scope) -> str:
    """The date of birth is the latest header's, else OC3's."""
    return f"""
        WITH header_dob AS (SELECT CHILD, max_by(DOB, collection_year) AS DOB FROM header GROUP BY CHILD),
             oc3_dob AS (SELECT CHILD, max_by(DOB, collection_year) AS DOB FROM oc3 GROUP BY CHILD),
             dob AS (SELECT CHILD, coalesce(h.DOB, o.DOB) AS DOB FROM header_dob h FULL JOIN oc3_dob o USING (CHILD))
        SELECT CHILD, collection_year, 'contact_date' AS field,
               'contact on ' || {iso('contact_date')} || ', 25th birthday ' || {iso('DOB + INTERVAL 25 YEAR')} AS detail
        FROM pa_contact JOIN dob USING (CHILD)
        WHERE contact_date > DOB + INTERVAL 25 YEAR"""

"""The `person_year` table: one row per young person per collection year on the caseload.

Indicators, breakdowns and trends all read this one wide table, so every indicator for a scope
is one scan. It is rebuilt from the 903 and local tables after every generation or import, so
real and synthetic stores feed the same indicators. Only our own constant SQL lives here.
"""
from __future__ import annotations

import uuid

import duckdb

from cl_metrics.fields import registry
from cl_metrics.rules import store_record_flags
from cl_metrics.rules.sql import AGE_IN_YEAR, text
from cl_metrics.spec import spec, swemwbs_conversion
from cl_metrics.store import RECORDS_STAMP, set_info, transaction

__all__ = ["AGE_IN_YEAR", "build_sql", "rebuild", "refresh"]
AGE_BAND = """CASE WHEN age IS NULL THEN 'Not known' WHEN age <= 17 THEN '16-17' WHEN age = 18 THEN '18'
                   WHEN age <= 21 THEN '19-21' ELSE '22-25' END"""


def _labelled(expression: str, labels: dict[str, str], otherwise: str) -> str:
    """CASE expression WHEN code THEN label ... ELSE otherwise END, from a labels table of the spec."""
    whens = " ".join(f"WHEN {text(code)} THEN {text(label)}" for code, label in labels.items())
    return f"CASE {expression} {whens} ELSE {text(otherwise)} END"


def _accom_type_case() -> str:
    return f"CASE WHEN ACCOM IS NULL THEN 'Not recorded' ELSE {_labelled('left(ACCOM, 1)', spec().labels['ACCOM_TYPE'], 'Other')} END"


def _ethnic_group_case() -> str:
    """The group DfE publishes, from the first letter of the ETHNIC code (specs/ssda903.toml)."""
    return _labelled("left(ETHNIC, 1)", spec().labels["ETHNIC_GROUP"], "Not known")


def _sex_group_case() -> str:
    """Male / Female / Not known, from the codes of every year (1/2, then M/F/U)."""
    return _labelled("SEX", spec().labels["SEX"], "Not known")


SWEMWBS_ITEMS = [f"yp_swemwbs_{item}" for item in range(1, 8)]
# The raw sum of the seven items when all seven are answered, else the sum as recorded.
SWEMWBS_RAW = (f"CASE WHEN {' AND '.join(f'{i} IS NOT NULL' for i in SWEMWBS_ITEMS)} "
               f"THEN {' + '.join(SWEMWBS_ITEMS)} ELSE yp_swemwbs END")


def _swemwbs_metric_case() -> str:
    """The metric score of the raw sum, by Warwick's published table (no score for a sum off the table);
    two exact decimals, as published, so sums of scores are exact too."""
    whens = " ".join(f"WHEN {raw} THEN {metric:.2f}" for raw, metric in sorted(swemwbs_conversion().items()))
    return f"CAST(CASE swemwbs_raw {whens} END AS DECIMAL(4, 2))"


def _latest(table: str, date_column: str) -> str:
    columns = [c for c in spec().table(table).column_names if c not in ("CHILD", "recorded_on")]
    select = ", ".join(f't."{c}"' for c in columns)
    return f"""(SELECT t.CHILD, t.collection_year, {select} FROM {table} t
               QUALIFY row_number() OVER (PARTITION BY t.CHILD, t.collection_year
                                          ORDER BY t."{date_column}" DESC NULLS LAST) = 1)"""


def _as_enums() -> str:
    """Coded text fields stored as ENUMs: comparing small integers, not strings, makes every
    indicator scan about a third faster. The importer has already refused values outside a code
    list; TRY_CAST keeps a rebuild from failing on one it did not check."""
    coded = [f for f in registry().values() if f.type == "VARCHAR" and f.codes]
    return ", ".join(f'TRY_CAST("{f.name}" AS ENUM({", ".join(map(text, f.codes))})) AS "{f.name}"'
                     for f in coded)


# A young person has one OC3 row a year; when a return holds more (flagged by rule oc3_duplicate),
# figures use the most complete row (IN_TOUCH, ACTIV and ACCOM recorded and not '0'), and of
# equally complete rows the one recorded last (the later line of the later import: rowid order).
OC3_ONE_ROW = """SELECT * EXCLUDE (_order) FROM (SELECT *, rowid AS _order FROM oc3)
    QUALIFY row_number() OVER (PARTITION BY CHILD, collection_year ORDER BY
        (coalesce(IN_TOUCH, '') <> '')::INTEGER + (coalesce(ACTIV, '0') <> '0')::INTEGER
            + (coalesce(ACCOM, '0') <> '0')::INTEGER DESC, _order DESC) = 1"""


def build_sql() -> str:
    record_tables = spec().record_tables()
    keys = " UNION ".join(f"SELECT CHILD, collection_year FROM {t}" for t in ("oc3", *record_tables, "pa_contact"))
    joins = "\n".join(f"LEFT JOIN {_latest(t, d)} AS {t} USING (CHILD, collection_year)"
                      for t, d in record_tables.items())
    return f"""
CREATE OR REPLACE TABLE person_year AS
SELECT * REPLACE ({_as_enums()}) FROM (
WITH keys AS ({keys}),
hdr AS (SELECT CHILD, arg_max(SEX, collection_year) AS SEX, arg_max(ETHNIC, collection_year) AS ETHNIC,
               arg_max(DOB, collection_year) AS DOB FROM header GROUP BY CHILD),
oc3_year AS ({OC3_ONE_ROW}),
contact_years AS (SELECT DISTINCT collection_year FROM pa_contact),
plan_years AS (SELECT DISTINCT collection_year FROM pathway_plan),
contacts AS (SELECT CHILD, collection_year, count(*) AS pa_contacts, max(contact_date) AS last_contact
             FROM pa_contact GROUP BY ALL),
left_foster_at_18 AS (
    SELECT DISTINCT e.CHILD FROM episodes e JOIN hdr USING (CHILD)
    WHERE e.PLACE IN ('U1', 'U2', 'U3', 'U4', 'U5', 'U6')
      AND date_diff('day', CAST(hdr.DOB + INTERVAL 18 YEAR AS DATE), e.DEC) BETWEEN 0 AND 1),
base AS (
    SELECT k.CHILD, k.collection_year,
           coalesce(oc3_year.DOB, hdr.DOB) AS DOB, hdr.SEX, hdr.ETHNIC,
           yp.category, yp.disability, yp.uasc, yp.pa_team, yp.date_left_care,
           oc3_year.CHILD IS NOT NULL AS in_oc3, oc3_year.IN_TOUCH, oc3_year.ACTIV, oc3_year.ACCOM,
           cy.collection_year IS NOT NULL AS contacts_recorded,
           py.collection_year IS NOT NULL AS plans_recorded,
           CASE WHEN cy.collection_year IS NOT NULL THEN coalesce(contacts.pa_contacts, 0) END AS pa_contacts,
           contacts.last_contact,
           lf.CHILD IS NOT NULL AS left_foster_care_at_18,
           {", ".join(f"{t}.* EXCLUDE (CHILD, collection_year)" for t in record_tables)}
    FROM keys k
    LEFT JOIN hdr USING (CHILD)
    LEFT JOIN oc3_year USING (CHILD, collection_year)
    LEFT JOIN young_person yp USING (CHILD)
    LEFT JOIN contacts USING (CHILD, collection_year)
    LEFT JOIN contact_years cy ON cy.collection_year = k.collection_year
    LEFT JOIN plan_years py ON py.collection_year = k.collection_year
    LEFT JOIN left_foster_at_18 lf USING (CHILD)
    {joins}
),
aged AS (
    SELECT *, {AGE_IN_YEAR} AS age, {SWEMWBS_RAW} AS swemwbs_raw FROM base
)
SELECT *,
       {AGE_BAND} AS age_band,
       {_sex_group_case()} AS sex_group,
       {_ethnic_group_case()} AS ethnic_group,
       CASE WHEN uasc THEN 'UASC' WHEN NOT uasc THEN 'Not UASC' ELSE 'Not known' END AS uasc_status,
       CASE WHEN disability THEN 'Disabled' WHEN NOT disability THEN 'Not disabled' ELSE 'Not known' END
           AS disability_status,
       {_accom_type_case()} AS accom_type,
       {_swemwbs_metric_case()} AS swemwbs_metric,
       CASE WHEN ACCOM IS NULL THEN NULL WHEN ACCOM = '0' THEN 'no information'
            WHEN right(ACCOM, 1) = '1' THEN 'suitable' ELSE 'not suitable' END AS accom_suitability,
       coalesce(left(ACCOM, 1) NOT IN ('G', 'H', 'R'), true) AS in_suitability_total,
       coalesce(pa_team, 'Not recorded') AS adviser_team,
       date_diff('day', plan_date, make_date(collection_year, 3, 31)) AS days_since_plan,
       date_diff('day', last_contact, make_date(collection_year, 3, 31)) AS days_since_contact
FROM aged
)
ORDER BY collection_year, CHILD
"""


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild `person_year` and the rules' flags inside the caller's transaction (an import commits
    them with its rows), with a fresh records stamp so that figures kept for the old records
    (`memo`) are not reused."""
    con.execute(build_sql())
    store_record_flags(con)
    set_info(con, **{RECORDS_STAMP: uuid.uuid4().hex})


def refresh(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild `person_year` from the store's tables, in a transaction of its own."""
    with transaction(con):
        rebuild(con)

"""SQL fragments the rules and the dashboard table share (our own constants, never user text)."""

# DfE's OC3 age: the age at the birthday that falls in the collection year (1 April - 31 March).
AGE_IN_YEAR = "CAST(collection_year - year(DOB) - (month(DOB) >= 4)::INTEGER AS INTEGER)"
# The last day of a collection year.
YEAR_END = "make_date(collection_year, 3, 31)"


def iso(expression: str) -> str:
    """A date as YYYY-MM-DD text, for a flag's detail."""
    return f"strftime(CAST({expression} AS DATE), '%Y-%m-%d')"


def shown(column: str) -> str:
    """A coded field as text for a detail: its value, or 'blank'."""
    return f"coalesce(nullif(CAST({column} AS VARCHAR), ''), 'blank')"


def text(value: str) -> str:
    """A constant of ours as an SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def columns(names: list[str], prefix: str = "") -> str:
    """Column names of our spec, quoted for SQL: "CHILD", "DOB", ... (optionally as prefix."CHILD")."""
    return ", ".join(f'{prefix}"{name}"' for name in names)

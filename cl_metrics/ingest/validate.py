"""Checking a row's values against its collection year's spec: load and flag.

Values arrive as stripped text. A value that breaks the year's spec is kept as given when the
column's type can hold it (a code outside the year's list, a number out of range) and stored as
unknown (NULL) when it cannot (a date that is not a date); either way it is flagged with one of the
registry's field rules (cl_metrics/rules/registry.toml: code, required, date, number, range,
yes_no, id_elsewhere). Codes are compared exactly (DfE treats 'yes' or '02' as errors), but a
number a spreadsheet saved as 1.0 is read as the number 1. Ids are pseudonymised here, and a
flagged value that could be an id is kept only as a pseudonym. Cross-field and cross-table rules
are the registry's record rules, run on the store (cl_metrics.rules).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from cl_metrics.ingest.pseudonym import ID_COLUMNS, Pseudonymiser
from cl_metrics.spec import ColumnSpec, TableSpec, YearSpec, spec

DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# A time of midnight that spreadsheets add to dates (14/05/2003 00:00, 2003-05-14 00:00:00).
MIDNIGHT = re.compile(r"[ T]00:00(?::00(?:\.0+)?)?$")
INT = re.compile(r"[+-]?\d+")
SPREADSHEET_NUMBER = re.compile(r"([+-]?\d+)\.0+")
TRUE, FALSE = {"1", "true", "yes"}, {"0", "false", "no"}
INT32 = 2**31 - 1
FIRST_YEAR, LAST_YEAR = 1900, 2100
SHOW_CODES = 12
# A row with this many flagged values is probably shifted (its columns out of place).
SHIFTED = 2

# (field, rule id, the value as given (made safe), what is wrong)
Problem = tuple[str, str, str | None, str]


class Unreadable(ValueError):
    """A value its column's type cannot hold: the rule says which check, the reason why, with
    {value} where the value goes (shown only as it may be shown: ids pseudonymised)."""

    def __init__(self, rule: str, reason: str):
        super().__init__(reason)
        self.rule, self.reason = rule, reason


def _show(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


def parse_date(value: str) -> date:
    """DD/MM/YYYY (DfE's form) or YYYY-MM-DD, a midnight time allowed; 31/02/2004 is not a date."""
    value = MIDNIGHT.sub("", value)
    if m := DMY.fullmatch(value):
        d, mth, y = (int(g) for g in m.groups())
    elif m := ISO.fullmatch(value):
        y, mth, d = (int(g) for g in m.groups())
    else:
        raise Unreadable("date", "{value} is not a date in the form DD/MM/YYYY")
    try:
        parsed = date(y, mth, d)
    except ValueError:
        raise Unreadable("date", f"{{value}} is not a real date (day {d}, month {mth}, year {y})") from None
    if not FIRST_YEAR <= y <= LAST_YEAR:
        raise Unreadable("date", "{value} has an implausible year")
    return parsed


def as_whole_number(value: str) -> str:
    """'1.0' (a spreadsheet's number) -> '1'; anything else unchanged."""
    m = SPREADSHEET_NUMBER.fullmatch(value)
    return m.group(1) if m else value


def parse_int(value: str) -> int:
    value = as_whole_number(value)
    if not INT.fullmatch(value) or abs(int(value)) > INT32:
        raise Unreadable("number", "{value} is not a whole number")
    return int(value)


def parse_bool(value: str) -> bool:
    low = as_whole_number(value).lower()
    if low in TRUE:
        return True
    if low in FALSE:
        return False
    raise Unreadable("yes_no", "{value} is not yes/no: use 1 or 0 (true/false and yes/no are accepted too)")


PARSERS: dict[str, Callable[[str], Any]] = {"VARCHAR": str, "INTEGER": parse_int, "DATE": parse_date,
                                            "BOOLEAN": parse_bool}


def _code_reason(column: ColumnSpec, value: str, codes: tuple[str, ...], year: str) -> str:
    listed = ", ".join(codes[:SHOW_CODES]) + (", ..." if len(codes) > SHOW_CODES else "")
    hint = ""
    close = [c for c in codes if c.lower() == value.lower() or c == value.lstrip("0")]
    if close:
        hint = f"; codes are exact, did you mean {close[0]!r}?"
    return f"{{value}} is not one of the {year} {column.codes} codes ({listed}){hint}"


def column_check(column: ColumnSpec, codes: tuple[str, ...] | None, year: str
                 ) -> Callable[[str], tuple[Any, tuple[str, str] | None]]:
    """Check one value: (the value to store, or None; and (rule, reason) when it breaks the spec, with
    {value} in the reason where the value is to be shown)."""
    parse = PARSERS[column.type]

    def check(value: str) -> tuple[Any, tuple[str, str] | None]:
        if value == "":
            return None, (("required", "required value is missing") if column.required else None)
        if codes is not None and value not in codes and as_whole_number(value) in codes:
            value = as_whole_number(value)
        try:
            parsed = parse(value)
        except Unreadable as exc:
            return None, (exc.rule, exc.reason)
        if codes is not None and str(parsed) not in codes:
            return parsed, ("code", _code_reason(column, value, codes, year))
        if column.min is not None and parsed < column.min:
            return parsed, ("range", f"{{value}} is below the minimum {column.min}")
        if column.max is not None and parsed > column.max:
            return parsed, ("range", f"{{value}} is above the maximum {column.max}")
        return parsed, None

    return check


class RowChecker:
    """Checks the rows of one table against one year's spec, pseudonymising ids as it goes."""

    def __init__(self, table: TableSpec, year: YearSpec | None, pseudo: Pseudonymiser):
        declared = year.tables.get(table.name) if year else None
        by_name = {c.name: c for c in (declared or table).columns}
        codes = year.codes if year else {}
        label = year.label if year else "template"
        self.names = table.column_names
        self.pseudo = pseudo
        self.checks = [column_check(by_name.get(c.name, c), codes.get(c.codes, spec().codes.get(c.codes)) if c.codes
                                    else None, label) if c.name not in ID_COLUMNS else None for c in table.columns]
        self.id_positions = [i for i, c in enumerate(table.columns) if c.name in ID_COLUMNS]
        # Free text (no code list) holds whatever a shifted row puts there: see __call__.
        self.free_text = [i for i, c in enumerate(table.columns)
                          if c.type == "VARCHAR" and not c.codes and c.name not in ID_COLUMNS]
        self.required_ids = {c.name for c in table.columns if c.name in ID_COLUMNS and by_name.get(c.name, c).required}

    def __call__(self, values: dict[str, str]) -> tuple[list[Any], list[Problem]]:
        """The values to store (ids pseudonymised), and what breaks the year's spec."""
        ids = {values.get(self.names[i], "") for i in self.id_positions} - {""}
        row: list[Any] = []
        problems: list[Problem] = []
        for name, check in zip(self.names, self.checks):
            value = values.get(name, "")
            if check is None:  # an id column
                row.append(self.pseudo.column(name, value) if value else None)
                if not value and name in self.required_ids:
                    problems.append((name, "required", None, "required value is missing"))
                continue
            if value in ids and self.pseudo.shown(value) != value:  # an id in the wrong column: never stored as given
                row.append(None)
                problems.append((name, "id_elsewhere", self.pseudo.child(value),
                                 "holds the row's id (columns shifted?); stored as unknown"))
                continue
            stored, problem = check(value)
            if problem and isinstance(stored, str):
                stored = self.pseudo.shown(stored)
            row.append(stored)
            if problem:
                shown = self.pseudo.shown(value) if value else None
                problems.append((name, problem[0], shown, problem[1].format(value=_show(shown or ""))))
        if len(problems) >= SHIFTED:  # columns probably shifted: free text may hold an id, so only as shown
            for i in self.free_text:
                row[i] = self.pseudo.shown(row[i]) if row[i] else row[i]
        return row, problems

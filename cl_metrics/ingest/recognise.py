"""Which table a file is, from its header row; and which collection year it belongs to.

Driven by the spec: a file is a table when it holds that table's required columns and at
least one column no other table has, in any order, names compared without case or spaces.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from cl_metrics import config
from cl_metrics.ingest.report import FileRefused
from cl_metrics.spec import TableSpec, spec

DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}
MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass
class Layout:
    """A recognised header: the table, and where each spec column sits in the file's rows."""
    table: TableSpec
    positions: dict[str, int]          # spec column name -> index in the row
    width: int                          # number of columns in the header
    unknown: list[str] = field(default_factory=list)
    missing_optional: list[str] = field(default_factory=list)


def _key(name: str) -> str:
    return name.strip().strip('"').strip().upper()


@config.cached  # from the spec, which a configuration folder may change
def _distinctive() -> dict[str, frozenset[str]]:
    """Per table, the column names (upper-cased) that appear in no other table."""
    counts = Counter(_key(c) for t in spec().tables.values() for c in set(t.column_names))
    return {t.name: frozenset(_key(c) for c in t.column_names if counts[_key(c)] == 1)
            for t in spec().tables.values()}


def expected_headers() -> str:
    """Every table's header row, for messages about files we do not recognise."""
    return "; ".join(f"{t.name}: {','.join(t.column_names)}" for t in spec().tables.values())


def _check_delimiter(names: list[str]) -> None:
    if len(names) == 1:
        for sep, word in DELIMITERS.items():
            if sep in names[0]:
                raise FileRefused(
                    f"The header row is separated by {word}, not commas ({names[0][:80]!r}). Save the "
                    "file as 'CSV (comma delimited)' and import it again.")


def _best_table(keys: set[str]) -> TableSpec | None:
    """The table sharing most columns with the header, among those with a distinctive one."""
    scored = []
    for t in spec().tables.values():
        cols = {_key(c) for c in t.column_names}
        if keys & _distinctive()[t.name]:
            scored.append((len(keys & cols), -len(cols - keys), t.name))
    if not scored:
        return None
    scored.sort(reverse=True)
    if len(scored) > 1 and scored[0][:2] == scored[1][:2]:
        raise FileRefused(f"The header row fits both {scored[0][2]} and {scored[1][2]}; "
                          f"expected exactly one of: {expected_headers()}")
    return spec().table(scored[0][2])


def recognise(names: list[str]) -> Layout:
    """The layout of a header row, or FileRefused saying what was expected."""
    _check_delimiter(names)
    keys = [_key(n) for n in names]
    repeated = sorted({n for n, k in zip(names, keys) if keys.count(k) > 1 and k})
    table = _best_table(set(keys) - {""})
    if table is None:
        shown = ",".join(n for n in names if n)[:200] or "(nothing)"
        raise FileRefused(f"Not an SSDA903 or template file: the header row is {shown!r}. Expected the "
                          f"header row of one of these tables (columns in any order): {expected_headers()}")
    if repeated:
        raise FileRefused(f"The header row names these columns more than once: {', '.join(repeated)}.")
    positions = {c.name: keys.index(_key(c.name)) for c in table.columns if _key(c.name) in keys}
    missing = [c.name for c in table.columns if c.required and c.name not in positions]
    if missing:
        raise FileRefused(f"This looks like a {table.name} file but it has no {', '.join(missing)} "
                          f"column{'s' if len(missing) > 1 else ''} (required). Expected header: "
                          f"{','.join(table.column_names)}")
    known = {_key(c) for c in table.column_names}
    return Layout(table=table, positions=positions, width=len(names),
                  unknown=[n for n, k in zip(names, keys) if k not in known],
                  missing_optional=[c.name for c in table.columns if c.name not in positions])


def name_years(name: str) -> set[int]:
    """Collection years a file name states: 2023-24, 2023_2024, 202324 (-> 2024) or a lone 2024."""
    years: set[int] = set()
    spans = list(re.finditer(r"(?<!\d)((?:19|20)\d\d)[-_ ]?((?:19|20)?\d\d)(?!\d)", name))
    rest = name
    for m in spans:
        first, second = int(m.group(1)), m.group(2)
        if (len(second) == 2 and int(second) == (first + 1) % 100) or (len(second) == 4 and int(second) == first + 1):
            years.add(first + 1)
            rest = rest.replace(m.group(0), " ")
    years |= {int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", rest)}
    return years


def collection_year(table: TableSpec, file_name: str, year: int | None) -> tuple[int | None, str | None]:
    """The year (ending 31 March) for an annual table: given, or stated once in the file name."""
    if not table.annual:
        return None, None
    if year is not None:
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise FileRefused(f"Collection year {year} is not a plausible year (expected {MIN_YEAR}-{MAX_YEAR}).")
        return year, "--year"
    years = {y for y in name_years(file_name) if MIN_YEAR <= y <= MAX_YEAR}
    if len(years) == 1:
        return years.pop(), "file name"
    if years:
        raise FileRefused(f"The file name holds several years ({', '.join(map(str, sorted(years)))}); "
                          "say which collection year (ending 31 March) it is with --year YYYY.")
    raise FileRefused(f"No collection year: {table.name} rows belong to a collection year (the year "
                      f"ending 31 March), and the file name holds none. Give it with --year YYYY "
                      f"(e.g. --year {date.today().year}), or put the year in the file name.")

"""The CSV templates for local tables and their documentation, both generated from the spec.

`data/templates/<table>.csv` holds a header row and example rows; `data/README.md` holds the
column and code documentation between markers, kept equal to `docs_markdown()` by a test.
Regenerate with: python -m cl_metrics.ingest docs
"""
from __future__ import annotations

from pathlib import Path

from cl_metrics import config
from cl_metrics.ingest.pseudonym import ID_COLUMNS
from cl_metrics.spec import ColumnSpec, TableSpec, return_years, spec, year_label
from cl_metrics.store import PROJECT_ROOT

DATA_DIR = PROJECT_ROOT / "data"
TEMPLATE_DIR = "data/templates"  # in the configuration folder (cl_metrics.config)
README = DATA_DIR / "README.md"
BEGIN = "<!-- BEGIN GENERATED from cl_metrics/specs (python -m cl_metrics.ingest docs) -->"
END = "<!-- END GENERATED -->"
TYPE_WORDS = {"VARCHAR": "text", "INTEGER": "whole number", "DATE": "date DD/MM/YYYY",
              "BOOLEAN": "yes/no: 1 or 0"}


def template_path(table: str) -> Path:
    """The template CSV for a local table (for a download button)."""
    if table not in {t.name for t in spec().local_tables()}:
        raise KeyError(f"{table} is not a local table with a template")
    return config.path(f"{TEMPLATE_DIR}/{table}.csv")


def _years_valid(table: TableSpec, column: ColumnSpec, code: str) -> str:
    """' (2016-17 to 2020-21)' when a code of the return is valid in some of its years only, else ''."""
    years = [y.year for y in return_years().values() if table.name in y.tables]
    valid = [y for y in years if code in return_years()[y].codes.get(column.codes, ())]
    if table.source == "local" or valid == years:
        return ""
    until = "" if valid[-1] == years[-1] else f" to {year_label(valid[-1])}"
    return f" ({year_label(valid[0])}{until or ' on'})"


def _allowed(column: ColumnSpec, table: TableSpec) -> str:
    if column.codes:
        codes = spec().codes[column.codes]
        labels = spec().labels.get(column.codes, {})
        return "; ".join((f"`{c}` {labels[c]}" if c in labels else f"`{c}`") + _years_valid(table, column, c)
                         for c in codes)
    if column.min is not None or column.max is not None:
        return f"{column.min if column.min is not None else ''} to {column.max if column.max is not None else ''}"
    return ""


def _table_md(table: TableSpec) -> str:
    year = "One row per young person (no collection year)" if not table.annual else \
        "Rows belong to a collection year (the year ending 31 March): give --year or put it in the file name"
    lines = [f"### `{table.name}`: {table.title}", "", f"Header row: `{','.join(table.column_names)}`  ",
             f"{year}.", "", "| column | type | required | allowed values | meaning |",
             "| --- | --- | --- | --- | --- |"]
    for c in table.columns:
        meaning = c.label or ("pseudonymised on import" if c.name in ID_COLUMNS else "")
        required = "yes" if c.required else ""
        lines.append(f"| `{c.name}` | {TYPE_WORDS[c.type]} | {required} | {_allowed(c, table)} | {meaning} |")
    return "\n".join(lines)


def docs_markdown() -> str:
    """The generated part of data/README.md: every table's columns, types and codes."""
    parts = [BEGIN, "", "## Local tables (templates in `data/templates/`)", ""]
    parts += [_table_md(t) + "\n" for t in spec().local_tables()]
    parts += ["## SSDA903 tables (DfE's own files, loaded unchanged)", "",
              "Each file is checked against its own collection year's spec (`cl_metrics/specs/ssda903/`); a code "
              "valid in some years only says which. A value that breaks the year's spec is loaded and flagged.", ""]
    parts += [_table_md(t) + "\n" for t in spec().national_tables()]
    parts += ["### What changed, year by year", ""]
    parts += [f"- **{y.label}**: " + "; ".join(y.changes) for y in return_years().values() if y.changes]
    parts.append("")
    parts.append(END)
    return "\n".join(parts)


def write_readme_section(readme: Path = README) -> None:
    """Replace the generated section of the README with the current spec's documentation."""
    text = readme.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    readme.write_text(head + docs_markdown() + tail, encoding="utf-8")


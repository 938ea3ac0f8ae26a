"""The CSV templates for local tables and their documentation, both generated from the spec.

`data/templates/<table>.csv` holds a header row and example rows; `data/README.md` holds the
column and code documentation between markers, kept equal to `docs_markdown()` by a test.
Regenerate with: python -m cl_metrics.ingest docs
"""
from __future__ import annotations

from pathlib import Path

from cl_metrics.ingest.pseudonym import ID_COLUMNS
from cl_metrics.spec import ColumnSpec, TableSpec, spec
from cl_metrics.store import PROJECT_ROOT

DATA_DIR = PROJECT_ROOT / "data"
TEMPLATE_DIR = DATA_DIR / "templates"
README = DATA_DIR / "README.md"
BEGIN = "<!-- BEGIN GENERATED from cl_metrics/specs (python -m cl_metrics.ingest docs) -->"
END = "<!-- END GENERATED -->"
TYPE_WORDS = {"VARCHAR": "text", "INTEGER": "whole number", "DATE": "date DD/MM/YYYY",
              "BOOLEAN": "yes/no: 1 or 0"}


def template_path(table: str) -> Path:
    """The template CSV for a local table (for a download button)."""
    if table not in {t.name for t in spec().local_tables()}:
        raise KeyError(f"{table} is not a local table with a template")
    return TEMPLATE_DIR / f"{table}.csv"


def _allowed(column: ColumnSpec) -> str:
    if column.codes:
        codes = spec().codes[column.codes]
        labels = spec().labels.get(column.codes, {})
        return "; ".join(f"`{c}` {labels[c]}" if c in labels else f"`{c}`" for c in codes)
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
        lines.append(f"| `{c.name}` | {TYPE_WORDS[c.type]} | {required} | {_allowed(c)} | {meaning} |")
    return "\n".join(lines)


def docs_markdown() -> str:
    """The generated part of data/README.md: every table's columns, types and codes."""
    parts = [BEGIN, "", "## Local tables (templates in `data/templates/`)", ""]
    parts += [_table_md(t) + "\n" for t in spec().local_tables()]
    parts += ["## SSDA903 tables (DfE's own files, loaded unchanged)", ""]
    parts += [_table_md(t) + "\n" for t in spec().national_tables()]
    parts.append(END)
    return "\n".join(parts)


def write_readme_section(readme: Path = README) -> None:
    """Replace the generated section of the README with the current spec's documentation."""
    text = readme.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    readme.write_text(head + docs_markdown() + tail, encoding="utf-8")


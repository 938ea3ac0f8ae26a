"""What the Data page does and shows, kept here so it is testable without Streamlit.

The page only draws: which store is open, uploads (a missing key or a refused store becomes a
message, never a traceback), the report as a table and plain sentences, import history and
refusals (counts protected in workshop mode; the refused rows themselves only in analyst mode),
the templates, and rebuilding a synthetic store (never a store of real data).
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from cl_metrics import benchmarks, store
from cl_metrics.access import Principal, require
from cl_metrics.access import log as access_log
from cl_metrics.disclosure import Mode, count_text
from cl_metrics.ingest.history import import_history, rejected_rows, rejection_summary
from cl_metrics.ingest.loader import Progress, import_files
from cl_metrics.ingest.pseudonym import PseudonymKeyError, load_key
from cl_metrics.ingest.report import FileReport, ImportRefused, ImportReport
from cl_metrics.ingest.templates import template_path
from cl_metrics.rules import rule
from cl_metrics.session import OpenStore
from cl_metrics.spec import spec, year_label
from cl_metrics.text import plain
from cl_metrics.views import source_label

MIN_PEOPLE, MAX_PEOPLE = 50, 20_000
# What rebuilds a synthetic store's records in place: (cursor, people, seed, *, progress, like, clean).
# The caller passes synthetic.generate.regenerate, so cl_metrics never imports the generator.
Builder = Callable[..., None]
RAW_ROW_LIMIT = 2_000
REPORT_COLUMNS = {"file": "File", "table": "Table", "collection_year": "Year", "status": "Result",
                  "loaded": "Rows loaded", "flags": "Flags", "refused": "Rows refused", "added": "Rows added",
                  "changed": "Rows changed", "removed": "Rows removed", "notes": "Notes"}
STATUS_WORDS = {"loaded": "loaded", "refused": "refused whole", "unchanged": "already held", "held": "held back"}
HISTORY_COLUMNS = {"imported_at": "Imported", "file_name": "File", "table_name": "Table", "collection_year": "Year",
                   "rows_loaded": "Rows loaded", "rows_rejected": "Rows refused", "batch_id": "Batch"}
REFUSAL_COLUMNS = {"file_name": "File", "field": "Field", "problems": "Problems", "rows": "Rows refused"}
REFUSED_ROW_COLUMNS = {"file_name": "File", "line": "Line", "field": "Field", "reason": "Reason",
                       "raw": "Row as in the file (ids pseudonymised)", "batch_id": "Batch"}


def _no_progress(fraction: float, label: str) -> None:
    """Progress reports go nowhere when the caller shows none."""


def _shown(frame: pd.DataFrame, columns: Sequence[str], mode: Mode, threshold: int) -> pd.DataFrame:
    """Workshop mode: counts as the threshold rule shows them ('fewer than 5').

    Analyst mode shows exact counts: it shows the refused rows themselves, so hiding how many
    there are would protect nothing.
    """
    if mode == "analyst":
        return frame
    out = frame.copy()
    for column in columns:
        out[column] = [count_text(n, threshold, mode) for n in out[column]]
    return out


def describe_store(summary: store.StoreSummary, mode: Mode, threshold: int) -> str:
    """Markdown: which file is open, whether it holds real data, and what it covers."""
    label = plain(source_label(summary))
    if summary.source == "synthetic":
        kind = f"**{label}**. The same seed gives the same numbers. Safe to show anyone."
    else:
        kind = (f"**{label}**: personal information about young people, ids pseudonymised on import. "
                "Share only suppressed figures (workshop mode).")
    if not summary.years:
        years = "no records yet"
    elif len(summary.years) == 1:
        years = f"the collection year ending 31 March {summary.years[0]}"
    else:
        years = f"collection years ending 31 March {summary.years[0]} to {summary.years[-1]}"
    people = count_text(summary.young_people, threshold, mode)
    return f"Store file: {plain(summary.path)}  \n{kind}  \nYoung people: {people}; {years}."


def set_authority(con: duckdb.DuckDBPyConnection, actor: Principal, code: str | None) -> None:
    """Record which authority a store of real data holds (None: not said), so its figures sit beside its
    region and statistical neighbours. A synthetic twin keeps the authority it was built like."""
    require(actor, "import_files")
    if code is not None and code not in benchmarks.areas():
        raise ValueError(f"{code!r} is not an authority in DfE's figures")
    if store.get_info(con).get("source") == "synthetic":
        raise ImportRefused("A synthetic store copies the authority it was built like; build another to change it.")
    with store.transaction(con):
        con.execute("DELETE FROM store_info WHERE key = 'authority'")
        # what pages keep for this store (its summary) is renewed with the records stamp
        store.set_info(con, **({"authority": code} if code else {}), **{store.RECORDS_STAMP: uuid.uuid4().hex})
        access_log.write(con, actor, "set the store's authority", code or "none")


def key_problem() -> str | None:
    """Why real files cannot be imported yet (no pseudonymisation key), or None."""
    try:
        load_key()
    except PseudonymKeyError as exc:
        return str(exc)
    return None


@dataclass(frozen=True)
class Upload:
    """One press of Import: the report, or the message that stopped it before anything changed."""
    report: ImportReport | None = None
    error: str | None = None
    replaced_synthetic: bool = False

    @property
    def needs_confirmation(self) -> bool:
        """Some file was held back: the page offers to import again, replacing (and forcing) on request."""
        return bool(self.report and self.report.any_held)


def upload(con: duckdb.DuckDBPyConnection, actor: Principal, files: Sequence[tuple[str, bytes]],
           year: int | None = None, replace_synthetic: bool = False, progress: Progress | None = None, *,
           replace: bool = False, force: bool = False) -> Upload:
    """Import uploaded (name, bytes) pairs in one transaction, as `import_files` does, and log who did:
    `replace` and `force` only after the person has seen what a first try held back and confirmed it."""
    require(actor, "import_files")
    if not files:
        return Upload(error="Choose one or more CSV or XML files to import.")
    was_synthetic = store.get_info(con).get("source") == "synthetic"
    try:
        report = import_files(con, list(files), year=year, progress=progress, replace_synthetic=replace_synthetic,
                              replace=replace, force=force)
    except (PseudonymKeyError, ImportRefused) as exc:
        return Upload(error=str(exc))
    access_log.write(con, actor, "imported", ", ".join(name for name, _ in files))
    return Upload(report=report, replaced_synthetic=was_synthetic and store.get_info(con).get("source") == "real")


def report_table(report: ImportReport) -> pd.DataFrame:
    """One row per file, with readable headings; notes hold why a file was refused or held back, and warnings."""
    rows = [row | {"status": STATUS_WORDS[row["status"]],
                   "notes": "; ".join(filter(None, [row["reason"], row["warnings"]]))} for row in report.rows()]
    frame = pd.DataFrame(rows, columns=[*REPORT_COLUMNS, "reason", "warnings"])[list(REPORT_COLUMNS)]
    frame["collection_year"] = frame["collection_year"].astype("Int64")
    return frame.rename(columns=REPORT_COLUMNS)


def _file_message(f: FileReport) -> tuple[str, str]:
    """(kind, text): plain text, file names and reasons included as they are (never Markdown)."""
    if f.status == "refused":
        return "error", f"{f.file_name} was refused, so nothing in it was loaded. {f.reason}"
    where = f"{spec().table(f.table).title.lower()}" + (f" for {year_label(f.collection_year)}" if f.collection_year else "")
    if f.status == "unchanged":
        return "info", f"{f.file_name}: {where}: {f.reason}."
    if f.status == "held":
        return "warning", f"{f.file_name} was held back and nothing in it was written ({where}). {f.reason} {f.diff_text()}."
    text = f"{f.file_name}: {f.rows_loaded:,} rows loaded into {where}: {f.diff_text()}."
    if f.flags:
        text += f" {f.rows_flagged:,} flags (see Data quality): " + "; ".join(
            f"{rule(r).title} ({n:,})" for r, n in list(f.flags.items())[:3]) + "."
    if f.rows_rejected:
        reasons = "; ".join(f"{reason} ({n:,})" for reason, n in f.top_reasons[:3])
        text += f" {f.rows_rejected:,} rows were refused and kept below with their reasons. Most common: {reasons}."
    if f.warnings:
        text += " Note: " + "; ".join(f.warnings) + "."
    return ("warning" if f.rows_rejected or f.warnings else "success"), text


def report_messages(outcome: Upload) -> list[tuple[str, str]]:
    """(kind, markdown) sentences about an upload; kind is success, info, warning or error."""
    if outcome.error:
        return [("error", outcome.error)]
    report = outcome.report
    loaded = sum(f.status == "loaded" for f in report.files)
    messages = [("error" if loaded == 0 and not report.any_held and any(f.status == "refused" for f in report.files)
                  else "info",
                 f"{loaded} of {len(report.files)} files loaded: {report.rows_loaded:,} rows, "
                 f"{report.rows_rejected:,} rows refused. The import was one transaction.")]
    if outcome.replaced_synthetic:
        messages.append(("warning", "The synthetic data was removed: this store now holds real, pseudonymised "
                                    "data only, and opens in workshop mode."))
    return messages + [_file_message(f) for f in report.files]


def history_table(con: duckdb.DuckDBPyConnection, mode: Mode, threshold: int) -> pd.DataFrame:
    """Every import, newest first, with readable headings (the long content hash left out)."""
    history = import_history(con)[list(HISTORY_COLUMNS)].rename(columns=HISTORY_COLUMNS)
    return _shown(history, ["Rows loaded", "Rows refused"], mode, threshold)


def refusals_table(con: duckdb.DuckDBPyConnection, mode: Mode, threshold: int) -> pd.DataFrame:
    """Refused rows counted by file and field: what to fix at source, with no record shown."""
    return _shown(rejection_summary(con).rename(columns=REFUSAL_COLUMNS), ["Problems", "Rows refused"], mode, threshold)


def refused_rows(con: duckdb.DuckDBPyConnection, actor: Principal, limit: int = RAW_ROW_LIMIT) -> pd.DataFrame:
    """The refused rows' text and reasons: for those who may see single records (analysts)."""
    require(actor, "record_lists")
    return rejected_rows(con, limit=limit)[list(REFUSED_ROW_COLUMNS)].rename(columns=REFUSED_ROW_COLUMNS)


@dataclass(frozen=True)
class Template:
    table: str
    title: str
    data: bytes


def templates() -> list[Template]:
    """The CSV template (header and example rows) of every local table, for download."""
    return [Template(t.name, t.title, template_path(t.name).read_bytes()) for t in spec().local_tables()]


def synthetic_settings(con: duckdb.DuckDBPyConnection) -> tuple[int, int] | None:
    """(people, seed) to offer for regenerating a synthetic store: what it was built with, the people
    kept within what the page may build; None for a store of real data."""
    info = store.get_info(con)
    if info.get("source") != "synthetic":
        return None
    people = int(info.get("people") or store.DEFAULT_PEOPLE)
    return min(max(people, MIN_PEOPLE), MAX_PEOPLE), int(info.get("seed") or store.DEFAULT_SEED)


def regenerate_synthetic(opened: OpenStore, actor: Principal, people: int, seed: int, build: Builder,
                         progress: Progress | None = None) -> None:
    """Replace the open synthetic store's records with new ones; a store of real data is refused and left alone.

    Done in place, in one transaction under the write lock: the lab's candidates and the workshops
    are kept, and sessions reading at the same time carry on with the old records until it commits.
    """
    require(actor, "regenerate")
    if not MIN_PEOPLE <= people <= MAX_PEOPLE:
        raise ValueError(f"people must be from {MIN_PEOPLE:,} to {MAX_PEOPLE:,}")
    with opened.exclusive() as cur:
        if synthetic_settings(cur) is None:
            raise ImportRefused("This store holds real data; it is never replaced by synthetic data. To demonstrate "
                                "with synthetic data, open another store file.")
        info = store.get_info(cur)  # a twin stays a twin of the same authority, at its size; clean stays clean
        like = info.get("authority")
        build(cur, people, seed, progress=progress or _no_progress, like=like, clean=info.get("clean") == "True")
        access_log.write(cur, actor, "regenerated synthetic data",
                         f"a twin of {benchmarks.areas()[like].name}, seed {seed}" if like else f"{people:,} people, seed {seed}")

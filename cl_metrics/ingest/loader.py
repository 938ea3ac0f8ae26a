"""Import files into the store: load and flag, and never lose a stored row by accident.

One transaction per call. A row that can be tied to a young person and a year loads; a value that
breaks its year's spec is stored as given (or as unknown where its type cannot hold it) and
flagged; only rows with no id, unreadable bytes or the wrong number of fields are refused (kept
in `rejected_row`, ids pseudonymised). A whole file is refused when it is not a 903 or template
file, is empty, uses another delimiter, lacks required columns or has no collection year.

Before anything is written each file is compared with what is stored for its table and year
(cl_metrics.ingest.diff): new rows are added; changing or removing stored rows needs `replace`,
and a file that would remove more than it adds, blank stored values, or whose refused share is
over 5% is held back unless `force`. CHILD ids (and UPNs, social workers' ids) are pseudonymised
with the key whose fingerprint the store keeps; an import with another key is refused.
"""
from __future__ import annotations

import hashlib
import io
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Union

import duckdb

from cl_metrics import derived, store
from cl_metrics.ingest import diff
from cl_metrics.ingest.pseudonym import ID_COLUMNS, Pseudonymiser, load_key
from cl_metrics.ingest.reader import LineFeed, is_blank, records
from cl_metrics.ingest.recognise import Layout, collection_year, expected_headers, name_years, recognise
from cl_metrics.ingest.report import FileRefused, FileReport, ImportRefused, ImportReport
from cl_metrics.ingest.stage import FLAGS, REJECTS, RawWriter, Stage
from cl_metrics.ingest.validate import RowChecker
from cl_metrics.ingest.xml_reader import looks_like_xml, read_rows
from cl_metrics.spec import TableSpec, return_years, spec, year_label, year_spec

Source = Union[str, os.PathLike, tuple[str, bytes]]
Progress = Callable[[float, str], None]
CHUNK_ROWS = 20_000
MAX_REFUSED_SHARE = 0.05
# store_info keys that describe a synthetic store and are wrong once it holds real data.
SYNTHETIC_KEYS = ("seed", "people", "last_year", "authority", "clean")
KEY_FINGERPRINT = "pseudonym_key_fingerprint"


@dataclass
class Input:
    """One file to import, from disk or from an upload."""
    name: str
    size: int
    path: Path | None = None
    data: bytes | None = None

    def open(self) -> BinaryIO:
        return open(self.path, "rb") if self.path is not None else io.BytesIO(self.data or b"")

    def sha256(self) -> str:
        """The hash of the exact bytes, read in blocks: which content a batch came from."""
        digest = hashlib.sha256()
        with self.open() as fh:
            while block := fh.read(1 << 20):
                digest.update(block)
        return digest.hexdigest()

    def is_xml(self) -> bool:
        with self.open() as fh:
            return self.name.lower().endswith(".xml") or looks_like_xml(fh.read(64))


@dataclass
class Row:
    """One record of a file: its values by column, or (None) why it cannot be placed and a safe copy."""
    line: int
    values: dict[str, str] | None
    raw: str = ""
    reason: str = ""


@dataclass
class Options:
    replace: bool = False
    force: bool = False
    chunk_rows: int = CHUNK_ROWS


class _Progress:
    """Turns bytes read across all files into progress(fraction, label) calls."""

    def __init__(self, callback: Progress | None, total: int):
        self.callback, self.total, self.done = callback, max(total, 1), 0

    def __call__(self, extra: int, label: str) -> None:
        if self.callback:
            self.callback(min(0.99, (self.done + extra) / self.total), label)


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def _input(source: Source) -> Input | FileReport:
    """An Input, or a refused FileReport for a path that is not a readable file."""
    if isinstance(source, tuple):
        name, data = source
        return Input(name=Path(str(name)).name or str(name), size=len(data), data=bytes(data))
    path = Path(source)
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "does not exist"
        return FileReport(file_name=path.name or str(path), reason=f"{path} {what}.")
    return Input(name=path.name, size=path.stat().st_size, path=path)


def _base_rows(con: duckdb.DuckDBPyConnection) -> int:
    return sum(con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in spec().tables)


def _check_synthetic(con: duckdb.DuckDBPyConnection, replace_synthetic: bool) -> bool:
    """True when a synthetic store is to be emptied first; refuse to mix real and synthetic rows."""
    if store.get_info(con).get("source") != "synthetic" or _base_rows(con) == 0:
        return False
    if not replace_synthetic:
        raise ImportRefused(
            "This store holds synthetic data; real files are not mixed into it. Replace the synthetic data "
            "(tick 'Replace the synthetic data with real data' on the Import and store page, or --replace-synthetic on "
            "the command line), or import into a new store file (e.g. --db data/real.duckdb).")
    return True


def _check_key(con: duckdb.DuckDBPyConnection, pseudo: Pseudonymiser) -> None:
    """Refuse a key other than the one the store's ids were made with (its fingerprint is kept)."""
    kept = store.get_info(con).get(KEY_FINGERPRINT)
    if kept and kept != pseudo.fingerprint():
        raise ImportRefused(
            "This store's ids were made with another pseudonymisation key: importing with this one would give "
            "the same young people new ids, so nothing was imported. Use the key the store was built with "
            "(CL_PSEUDONYM_KEY or pseudonym_key in .streamlit/secrets.toml), or import into a new store file.")


def _clear_synthetic(con: duckdb.DuckDBPyConnection) -> None:
    store.clear_records(con)
    con.execute(f"DELETE FROM store_info WHERE key IN ({', '.join('?' * len(SYNTHETIC_KEYS))})", list(SYNTHETIC_KEYS))


def _header(rows: Iterable, report: FileReport):
    """The first non-blank record, or the file is empty."""
    for record in rows:
        if not is_blank(record):
            return record
        report.blank_lines += 1
    raise FileRefused("The file is empty (no header row). Expected the header row of one of these "
                      f"tables (columns in any order): {expected_headers()}")


class _SafeRaw:
    """The copy of a refused row we keep: ids pseudonymised (and anything else that could be one),
    columns we do not load left out."""

    def __init__(self, layout: Layout, pseudo: Pseudonymiser):
        self.by_pos = {i: name for name, i in layout.positions.items()}
        self.width, self.pseudo, self.writer = layout.width, pseudo, RawWriter()

    def __call__(self, fields: list[str]) -> str:
        kept = [self.pseudo.column(self.by_pos[i], v) if self.by_pos[i] in ID_COLUMNS else self.pseudo.shown(v)
                for i, v in enumerate(fields) if i in self.by_pos]
        text = self.writer.text(kept)
        extra = len(fields) - self.width
        return text + (f"  [+{extra} field{'s' * (extra > 1)} beyond the header, not kept]" if extra > 0 else "")


def _layout_warnings(layout: Layout) -> list[str]:
    warnings = []
    unknown = [n for n in layout.unknown if n]
    if unknown:
        warnings.append(f"columns not in the {layout.table.name} spec were ignored: {', '.join(unknown)}")
    if layout.missing_optional:
        warnings.append(f"optional columns not in the file were loaded as empty: {', '.join(layout.missing_optional)}")
    return warnings


def _csv_rows(fh: BinaryIO, report: FileReport, pseudo: Pseudonymiser, feed: LineFeed
              ) -> tuple[Layout, Iterator[Row]]:
    """The table a CSV file is (from its header row) and its records as Rows."""
    rows = records(fh, feed)
    head = _header(rows, report)
    if head.bad_bytes:
        raise FileRefused(f"The header row is not UTF-8 text ({head.bad_bytes}).")
    layout = recognise(head.fields)
    report.warnings += _layout_warnings(layout)
    safe_raw = _SafeRaw(layout, pseudo)

    def each() -> Iterator[Row]:
        for rec in rows:
            if is_blank(rec):
                report.blank_lines += 1
            elif rec.bad_bytes:
                yield Row(rec.line, None, safe_raw(rec.fields), rec.bad_bytes)
            elif len(rec.fields) != layout.width:
                yield Row(rec.line, None, safe_raw(rec.fields), f"has {len(rec.fields)} fields; the header has {layout.width}")
            else:
                yield Row(rec.line, {name: rec.fields[i] for name, i in layout.positions.items()}, safe_raw(rec.fields))
    return layout, each()


def _year_checker(table: TableSpec, report: FileReport, pseudo: Pseudonymiser) -> RowChecker:
    """The checker for the file's own collection year (the nearest year we hold, with a warning)."""
    if table.source == "local":
        return RowChecker(table, None, pseudo)
    years = return_years()
    year = year_spec(report.collection_year)
    if report.collection_year not in years:
        report.warnings.append(f"no 903 spec for {year_label(report.collection_year)}: checked against "
                               f"{year.label}'s (specs cover {year_label(min(years))} to {year_label(max(years))})")
    elif table.name not in year.tables:
        first = next((y.label for y in years.values() if table.name in y.tables), "?")
        report.warnings.append(f"{table.name} is not part of the {year.label} return (DfE collects it from "
                               f"{first}): check the collection year")
    return RowChecker(table, year, pseudo)


def _stage_rows(rows: Iterator[Row], check: RowChecker, stage: Stage, progress: Callable[[int], None]) -> None:
    """Check and stage every row: loaded with its flags, or refused (no id, unreadable, wrong width)."""
    for row in rows:
        if row.values is None:
            stage.reject(row.line, row.raw, row.reason)
        elif not row.values.get("CHILD"):
            stage.reject(row.line, row.raw, "no CHILD id: the row cannot be tied to a young person", "CHILD")
        else:
            stage.add(row.line, *check(row.values))
        if stage.full:
            stage.flush()
            progress(stage.rows_read)
    stage.flush()


def _hold_reason(f: FileReport, change: diff.Diff, options: Options) -> str | None:
    """Why this file is not written as it stands, or None."""
    if (change.changed or (options.replace and change.removed)) and not options.replace:
        return (f"It would change {change.changed:,} stored {f.table} rows for {year_label(f.collection_year)}. "
                "To replace the stored rows with this file's, import it again with --replace "
                "(the Import and store page asks you to confirm).") if f.collection_year else (
                f"It would change {change.changed:,} stored rows. Import it again with --replace to change them.")
    if options.force:
        return None
    if f.refused_share > MAX_REFUSED_SHARE:
        return (f"{f.rows_rejected:,} of its {f.rows_loaded + f.rows_rejected:,} rows ({f.refused_share:.0%}) "
                f"cannot be placed, over the {MAX_REFUSED_SHARE:.0%} allowed: check the file (delimiter, columns, "
                "ids), or import it anyway with --force.")
    if options.replace and change.removed > change.added:
        return (f"Replacing would remove {change.removed:,} stored rows and add {change.added:,}: is this the whole "
                "table for the year? Import it with --replace --force to go ahead.")
    if options.replace and change.lost:
        return (f"Replacing would turn {change.lost_values:,} stored values unknown or flagged "
                f"({change.lost_text()}), as a file re-saved with other date formats does. Import it with "
                "--replace --force to go ahead.")
    return None


def _record_batch(con: duckdb.DuckDBPyConnection, f: FileReport) -> None:
    con.execute(f"INSERT INTO rejected_row SELECT ?, ?, line, raw, field, reason FROM {REJECTS} ORDER BY line, field",
                [f.batch_id, f.file_name])
    con.execute("INSERT INTO import_batch (batch_id, content_hash, file_name, table_name, collection_year, rows_loaded, "
                "rows_rejected, imported_at, rows_added, rows_changed, rows_removed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [f.batch_id, f.content_hash, f.file_name, f.table, f.collection_year, f.rows_loaded, f.rows_rejected,
                 datetime.now(), f.rows_added, f.rows_changed, f.rows_removed])


def _settle(con: duckdb.DuckDBPyConnection, f: FileReport, table: TableSpec, stage: Stage, options: Options) -> None:
    """Compare the staged file with the store, then write it, or hold it back saying why."""
    stage.refuse_second_rows()
    f.rows_loaded, f.rows_rejected = stage.counts()
    f.top_reasons = stage.top_reasons()
    if f.rows_loaded == 0 and f.rows_rejected:
        reasons = "; ".join(f"{n:,} x {r}" for r, n in f.top_reasons[:3])
        raise FileRefused(f"None of its {f.rows_rejected:,} rows could be placed, so nothing was changed. "
                          f"Most common reasons: {reasons}")
    if f.rows_loaded == 0:
        f.warnings.append("the file has a header row but no data rows")
    if f.blank_lines:
        f.warnings.append(f"{f.blank_lines:,} blank line{'s' * (f.blank_lines > 1)} skipped")
    change = diff.compare(con, table, f.collection_year)
    f.rows_stored_before, f.lost = change.stored, change.lost
    f.rows_added = change.added
    f.rows_changed = change.changed if options.replace else 0
    f.rows_removed = change.removed if options.replace else 0
    if reason := _hold_reason(f, change, options):
        f.status, f.reason = "held", reason
        f.rows_changed, f.rows_removed = change.changed, change.removed if options.replace else 0
        f.flags = dict(con.execute(f"SELECT rule_id, count(*) FROM {FLAGS} GROUP BY 1 ORDER BY 2 DESC, 1").fetchall())
        return
    if not (f.rows_added or f.rows_changed or f.rows_removed or f.rows_rejected):
        f.status = "unchanged"
        f.reason = "the store already holds every row of this file; nothing added"
        return
    f.batch_id = "b" + uuid.uuid4().hex[:12]
    diff.write(con, table, f.collection_year, options.replace, f.batch_id)
    _record_batch(con, f)
    f.status = "loaded"


def _same_content_elsewhere(con: duckdb.DuckDBPyConnection, f: FileReport) -> None:
    """Warn when the same bytes are stored for the same table in another year (a wrong --year before?)."""
    for batch, year in con.execute("SELECT batch_id, collection_year FROM import_batch WHERE content_hash = ? "
                                   "AND table_name = ? AND collection_year IS DISTINCT FROM ?",
                                   [f.content_hash, f.table, f.collection_year]).fetchall():
        f.warnings.append(f"the same file was imported for {year_label(year)} too (batch {batch}); if that year "
                          f"was wrong, remove it with: python -m cl_metrics import --remove {f.table}:{year} --db ...")


def _xml_raw(table: TableSpec, values: dict[str, str], pseudo: Pseudonymiser) -> str:
    """The safe copy of an XML row, as a CSV line in the table's column order."""
    return RawWriter().text([pseudo.column(c, values.get(c, "")) if c in ID_COLUMNS else pseudo.shown(values.get(c, ""))
                             for c in table.column_names])


def _parts(inp: Input, report: FileReport, year: int | None, pseudo: Pseudonymiser,
           progress: _Progress) -> Iterator[tuple[FileReport, TableSpec, Iterator[Row], Callable[[int], None]]]:
    """Each table in a file: its report, table, rows and a progress reporter (one for a CSV, several for XML)."""
    if inp.is_xml():
        with inp.open() as fh:
            tables = read_rows(fh.read())
        for name, found in tables.items():
            table = spec().table(name)
            part = FileReport(file_name=inp.name, content_hash=report.content_hash, table=name)
            part.collection_year, part.year_source = collection_year(table, inp.name, year)
            rows = (Row(line, values, _xml_raw(table, values, pseudo)) for line, values in found)
            yield part, table, rows, lambda n: progress(0, f"{inp.name}: {n:,} rows read")
        return
    with inp.open() as fh:
        feed = LineFeed(fh)
        layout, rows = _csv_rows(fh, report, pseudo, feed)
        report.table = layout.table.name
        report.collection_year, report.year_source = collection_year(layout.table, inp.name, year)
        stated = name_years(inp.name)
        if report.year_source == "--year" and stated and report.collection_year not in stated:
            report.warnings.append(f"the file name suggests {', '.join(map(str, sorted(stated)))} but "
                                   f"--year {report.collection_year} was used")
        yield report, layout.table, rows, lambda n: progress(feed.bytes_read, f"{inp.name}: {n:,} rows read")


def _import_one(con: duckdb.DuckDBPyConnection, inp: Input, year: int | None, pseudo: Pseudonymiser,
                options: Options, progress: _Progress) -> list[FileReport]:
    """One file: each table in it staged, checked, compared and written, or refused whole."""
    report = FileReport(file_name=inp.name, content_hash=inp.sha256())
    done: list[FileReport] = []
    try:
        for part, table, rows, tick in _parts(inp, report, year, pseudo, progress):
            stage = Stage(con, table, options.chunk_rows)
            try:
                _stage_rows(rows, _year_checker(table, part, pseudo), stage, tick)
                _settle(con, part, table, stage, options)
                _same_content_elsewhere(con, part)
            except FileRefused as exc:
                part.status, part.reason = "refused", str(exc)
                part.rows_loaded = part.rows_rejected = 0
            finally:
                stage.drop()
            done.append(part)
    except FileRefused as exc:
        report.status, report.reason = "refused", str(exc)
        report.rows_loaded = report.rows_rejected = 0
        return done + [report]
    return done


def _count_flags(con: duckdb.DuckDBPyConnection, files: list[FileReport]) -> None:
    """Each stored file's flags by rule: on its values, and the rules' on its table and year. (A file
    held back counts only the flags on its own values: the rules run on stored rows.)"""
    for f in files:
        if f.status not in ("loaded", "unchanged") or f.table is None:
            continue
        f.flags = dict(con.execute(
            "SELECT rule_id, count(*) FROM flag WHERE table_name = ? AND collection_year IS NOT DISTINCT FROM ? "
            "AND (kind = 'record' OR batch_id IN (SELECT batch_id FROM import_batch WHERE table_name = ? "
            "AND collection_year IS NOT DISTINCT FROM ?)) GROUP BY rule_id ORDER BY count(*) DESC, rule_id",
            [f.table, f.collection_year, f.table, f.collection_year]).fetchall())


def import_files(con: duckdb.DuckDBPyConnection, paths: Iterable[Source], year: int | None = None,
                 progress: Progress | None = None, *, replace_synthetic: bool = False, replace: bool = False,
                 force: bool = False, dry_run: bool = False, chunk_rows: int = CHUNK_ROWS) -> ImportReport:
    """Import 903 CSV or XML files and local templates (paths, or (name, bytes) pairs) in one transaction.

    `replace`: a file replaces the stored rows of its table and year (else it only adds rows, and a
    file that would change stored ones is held back). `force`: go ahead past the safety limits.
    `dry_run`: report what would happen, then roll everything back. Raises PseudonymKeyError (no
    key) or ImportRefused (a synthetic store, another key) before changing anything.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]  # one path given on its own, not a list of its characters
    pseudo = Pseudonymiser(load_key())
    _check_key(con, pseudo)
    clear_first = _check_synthetic(con, replace_synthetic)
    inputs = [_input(p) for p in paths]
    meter = _Progress(progress, sum(i.size for i in inputs if isinstance(i, Input)))
    options = Options(replace=replace, force=force, chunk_rows=chunk_rows)
    report = ImportReport(dry_run=dry_run)
    try:
        with store.transaction(con):
            if clear_first:
                _clear_synthetic(con)
            for inp in inputs:
                if isinstance(inp, FileReport):
                    report.files.append(inp)
                    continue
                meter(0, f"{inp.name}: reading")
                report.files += _import_one(con, inp, year, pseudo, options, meter)
                meter.done += inp.size
            if clear_first or any(f.status == "loaded" for f in report.files):
                store.set_info(con, source="real", **{KEY_FINGERPRINT: pseudo.fingerprint()})
                meter(meter.done, "rebuilding the dashboard table and the rules' flags")
                derived.rebuild(con)  # in the same transaction: person_year and flags are never stale
            _count_flags(con, report.files)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    if progress:
        progress(1.0, "done")
    return report


def import_uploaded(con: duckdb.DuckDBPyConnection, name: str, data: bytes, year: int | None = None,
                    progress: Progress | None = None, *, replace_synthetic: bool = False) -> ImportReport:
    """One uploaded file (e.g. st.file_uploader's name and getvalue()), as import_files."""
    return import_files(con, [(name, data)], year=year, progress=progress, replace_synthetic=replace_synthetic)


def remove(con: duckdb.DuckDBPyConnection, table_name: str, year: int) -> int:
    """Remove every stored row (and its flags) of one 903 or local table for one collection year,
    as the user asked (e.g. a file imported with the wrong year); returns the rows removed."""
    table = spec().tables.get(table_name)
    if table is None or not table.annual:
        raise ImportRefused(f"{table_name!r} is not a table with collection years; tables: "
                            f"{', '.join(t.name for t in spec().tables.values() if t.annual)}")
    with store.transaction(con):
        removed = con.execute(f'DELETE FROM "{table.name}" WHERE collection_year = ?', [year]).fetchone()[0]
        con.execute("DELETE FROM flag WHERE kind = 'field' AND table_name = ? AND collection_year = ?",
                    [table.name, year])
        derived.rebuild(con)
    return removed

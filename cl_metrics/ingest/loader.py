"""Import files into the store: one transaction per call, one import_batch row per file.

A file is refused whole (and changes nothing) when it is not a 903/template file, is empty,
uses another delimiter, lacks required columns or has no collection year. Otherwise its good
rows load and every refused row is kept in `rejected_row`. The same content twice adds
nothing (sha256 of the bytes); a newer file for the same table and year replaces the older
one's rows. CHILD ids (and UPNs) are pseudonymised before anything is written.
"""
from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Union

import duckdb

from cl_metrics import derived, store
from cl_metrics.ingest.pseudonym import ID_COLUMNS, Pseudonymiser, load_key
from cl_metrics.ingest.reader import LineFeed, is_blank, records
from cl_metrics.ingest.recognise import Layout, collection_year, expected_headers, name_years, recognise
from cl_metrics.ingest.report import FileRefused, FileReport, ImportRefused, ImportReport
from cl_metrics.ingest.stage import REJECTS, STAGE, RawWriter, Stage, quoted
from cl_metrics.ingest.validate import validate_row
from cl_metrics.spec import spec

Source = Union[str, os.PathLike, tuple[str, bytes]]
Progress = Callable[[float, str], None]
CHUNK_ROWS = 20_000
# store_info keys that describe a synthetic store and are wrong once it holds real data.
SYNTHETIC_KEYS = ("seed", "people", "last_year")


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
        """Batch identity: the hash of the exact bytes, read in blocks."""
        digest = hashlib.sha256()
        with self.open() as fh:
            while block := fh.read(1 << 20):
                digest.update(block)
        return digest.hexdigest()


class _Progress:
    """Turns bytes read across all files into progress(fraction, label) calls."""

    def __init__(self, callback: Progress | None, total: int):
        self.callback, self.total, self.done = callback, max(total, 1), 0

    def __call__(self, extra: int, label: str) -> None:
        if self.callback:
            self.callback(min(0.99, (self.done + extra) / self.total), label)


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
            "(tick 'Replace the synthetic data with real data' on the Data page, or --replace-synthetic on "
            "the command line), or import into a new store file (e.g. --db data/real.duckdb).")
    return True


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
    """The copy of a refused row we keep: ids pseudonymised, columns we do not load left out."""

    def __init__(self, layout: Layout, pseudo: Pseudonymiser):
        self.by_pos = {i: name for name, i in layout.positions.items()}
        self.width, self.pseudo, self.writer = layout.width, pseudo, RawWriter()

    def __call__(self, fields: list[str]) -> str:
        kept = [self.pseudo.column(self.by_pos[i], v) if self.by_pos[i] in ID_COLUMNS else v
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


def _stream(fh: BinaryIO, inp: Input, report: FileReport, year: int | None, pseudo: Pseudonymiser,
            stage_of: Callable[[Layout], Stage], progress: _Progress) -> Stage:
    """Read, check and stage every row of one file."""
    feed = LineFeed(fh)
    rows = records(fh, feed)
    head = _header(rows, report)
    if head.bad_bytes:
        raise FileRefused(f"The header row is not UTF-8 text ({head.bad_bytes}).")
    layout = recognise(head.fields)
    report.table = layout.table.name
    report.collection_year, report.year_source = collection_year(layout.table, inp.name, year)
    report.warnings += _layout_warnings(layout)
    stated = name_years(inp.name)
    if report.year_source == "--year" and stated and report.collection_year not in stated:
        report.warnings.append(f"the file name suggests {', '.join(map(str, sorted(stated)))} but "
                               f"--year {report.collection_year} was used")
    stage, safe_raw, names = stage_of(layout), _SafeRaw(layout, pseudo), layout.table.column_names
    for rec in rows:
        if is_blank(rec):
            report.blank_lines += 1
            continue
        if rec.bad_bytes:
            stage.reject_row(rec.line, safe_raw(rec.fields), [(None, rec.bad_bytes)])
        elif len(rec.fields) != layout.width:
            stage.reject_row(rec.line, safe_raw(rec.fields),
                             [(None, f"has {len(rec.fields)} fields; the header has {layout.width}")])
        else:
            values = {name: rec.fields[i] for name, i in layout.positions.items()}
            row, problems = validate_row(layout.table.name, values, report.collection_year)
            if problems:
                stage.reject_row(rec.line, safe_raw(rec.fields), problems)
            else:
                stage.add(rec.line, safe_raw(rec.fields),
                          [pseudo.column(n, getattr(row, n)) if n in ID_COLUMNS else getattr(row, n) for n in names])
        if stage.full:
            stage.flush()
            progress(feed.bytes_read, f"{inp.name}: {stage.rows_read:,} rows read")
    stage.flush()
    return stage


def _replace(con: duckdb.DuckDBPyConnection, report: FileReport, targets: set) -> int:
    """Delete what an older import loaded for the same table and year (or the same young people)."""
    table = spec().table(report.table)
    if not table.annual:
        return con.execute(f'DELETE FROM "{table.name}" WHERE CHILD IN (SELECT CHILD FROM {STAGE})').fetchone()[0]
    target = (table.name, report.collection_year)
    if target in targets:
        return 0  # an earlier file of this same call: files for one table and year add up
    targets.add(target)
    return con.execute(f'DELETE FROM "{table.name}" WHERE collection_year = ?', [report.collection_year]).fetchone()[0]


def _write(con: duckdb.DuckDBPyConnection, report: FileReport, targets: set) -> None:
    """Move one accepted file from staging into the store and record its batch."""
    table = spec().table(report.table)
    cols = quoted(table.column_names)
    report.rows_replaced = _replace(con, report, targets)
    if report.rows_replaced:
        scope = f"for {report.collection_year}" if table.annual else "for the same young people"
        report.warnings.append(f"replaced {report.rows_replaced:,} {table.name} rows {scope} loaded by an "
                               "earlier import (the newer file wins)")
    if table.annual:
        con.execute(f'INSERT INTO "{table.name}" ({cols}, collection_year) '
                    f"SELECT {cols}, ? FROM {STAGE} ORDER BY _line", [report.collection_year])
    else:
        con.execute(f'INSERT INTO "{table.name}" ({cols}) SELECT {cols} FROM {STAGE} ORDER BY _line')
    con.execute(f"INSERT INTO rejected_row SELECT ?, ?, line, raw, field, reason FROM {REJECTS} ORDER BY line, field",
                [report.batch_id, report.file_name])
    con.execute("INSERT INTO import_batch VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [report.batch_id, report.content_hash, report.file_name, report.table, report.collection_year,
                 report.rows_loaded, report.rows_rejected, datetime.now()])


def _already(con: duckdb.DuckDBPyConnection, digest: str, seen: dict[str, str]) -> str | None:
    """Why this content needs no import: loaded before, or earlier in this call."""
    if digest in seen:
        return f"the same content as {seen[digest]} in this import (nothing added)"
    row = con.execute("SELECT batch_id, file_name, table_name, collection_year, imported_at FROM import_batch "
                      "WHERE content_hash = ?", [digest]).fetchone()
    if row:
        year = f" {row[3]}" if row[3] is not None else ""
        return (f"already imported on {row[4]:%d/%m/%Y %H:%M} as {row[1]} ({row[2]}{year}, batch {row[0]}); "
                "nothing added")
    return None


def _import_one(con, inp: Input, year, pseudo, seen: dict[str, str], targets: set, chunk_rows: int,
                progress: _Progress) -> FileReport:
    """One file: staged, checked, then written, or refused whole leaving the store as it was."""
    report = FileReport(file_name=inp.name)
    report.content_hash = inp.sha256()
    if reason := _already(con, report.content_hash, seen):
        report.status, report.reason = "skipped", reason
        return report
    seen[report.content_hash] = inp.name
    report.batch_id = "b" + report.content_hash[:12]
    stages: list[Stage] = []

    def stage_of(layout: Layout) -> Stage:
        stages.append(Stage(con, layout.table, chunk_rows))
        return stages[-1]

    try:
        with inp.open() as fh:
            stage = _stream(fh, inp, report, year, pseudo, stage_of, progress)
        stage.refuse_duplicates()
        report.rows_loaded, report.rows_rejected = stage.counts()
        report.top_reasons = stage.top_reasons()
        if report.rows_loaded == 0 and report.rows_rejected:
            reasons = "; ".join(f"{n:,} x {r}" for r, n in report.top_reasons[:3])
            raise FileRefused(f"None of its {report.rows_rejected:,} rows could be loaded, so nothing was "
                              f"changed. Most common reasons: {reasons}")
        if report.rows_loaded == 0:
            report.warnings.append("the file has a header row but no data rows")
        if report.blank_lines:
            report.warnings.append(f"{report.blank_lines:,} blank line{'s' * (report.blank_lines > 1)} skipped")
        _write(con, report, targets)
        report.status = "loaded"
    except FileRefused as exc:
        report.status, report.reason = "refused", str(exc)
        report.rows_loaded = report.rows_rejected = 0
        report.batch_id = None
        del seen[report.content_hash]
    finally:
        for stage in stages:
            stage.drop()
    return report


def import_files(con: duckdb.DuckDBPyConnection, paths: Iterable[Source], year: int | None = None,
                 progress: Progress | None = None, *, replace_synthetic: bool = False,
                 chunk_rows: int = CHUNK_ROWS) -> ImportReport:
    """Import 903 CSVs and local templates (paths, or (name, bytes) pairs) in one transaction.

    Raises PseudonymKeyError (no key) or ImportRefused (a synthetic store) before changing
    anything; files that cannot be used are reported as refused, the rest load.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]  # one path given on its own, not a list of its characters
    pseudo = Pseudonymiser(load_key())
    clear_first = _check_synthetic(con, replace_synthetic)
    inputs = [_input(p) for p in paths]
    meter = _Progress(progress, sum(i.size for i in inputs if isinstance(i, Input)))
    report = ImportReport()
    seen: dict[str, str] = {}
    targets: set = set()
    with store.transaction(con):
        if clear_first:
            _clear_synthetic(con)
        for inp in inputs:
            if isinstance(inp, FileReport):
                report.files.append(inp)
                continue
            meter(0, f"{inp.name}: reading")
            report.files.append(_import_one(con, inp, year, pseudo, seen, targets, chunk_rows, meter))
            meter.done += inp.size
        if clear_first or any(f.status == "loaded" for f in report.files):
            store.set_info(con, source="real")
            meter(meter.done, "rebuilding the dashboard table")
            derived.rebuild(con)  # in the same transaction: person_year is never stale
    if progress:
        progress(1.0, "done")
    return report


def import_uploaded(con: duckdb.DuckDBPyConnection, name: str, data: bytes, year: int | None = None,
                    progress: Progress | None = None, *, replace_synthetic: bool = False) -> ImportReport:
    """One uploaded file (e.g. st.file_uploader's name and getvalue()), as import_files."""
    return import_files(con, [(name, data)], year=year, progress=progress, replace_synthetic=replace_synthetic)

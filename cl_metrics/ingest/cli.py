"""`python -m cl_metrics import FILE... --db PATH [--year YYYY]`: the command-line import.

Exit status: 0 when every file loaded (some rows may still be refused, see the report),
1 when any file was refused whole, 2 when nothing could be done (store locked, no key, ...).
"""
from __future__ import annotations

import argparse
import sys

from cl_metrics import store
from cl_metrics.access import command_line
from cl_metrics.access import log as access_log
from cl_metrics.ingest.loader import import_files
from cl_metrics.ingest.pseudonym import PseudonymKeyError, load_key
from cl_metrics.ingest.report import ImportRefused
from cl_metrics.progress import text_progress


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m cl_metrics import",
                                description="Load SSDA903 CSV files and local CSV templates into a store.")
    p.add_argument("files", nargs="+", metavar="FILE", help="CSV files (903 tables or data/templates/*.csv)")
    p.add_argument("--db", help="store file; created if missing (default: $CL_STORE or data/care_leavers.duckdb)")
    p.add_argument("--year", type=int, help="collection year, the year ending 31 March (default: from the file name)")
    p.add_argument("--replace-synthetic", action="store_true",
                   help="empty a synthetic store's tables before loading real data into it")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run an import and print a per-file report; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["import"]:
        argv = argv[1:]
    args = parser().parse_args(argv)
    path = store.resolve_path(args.db)
    try:
        load_key()  # before a new store file is made
        con = store.connect(path, create=True)
    except PseudonymKeyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except store.StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        report = import_files(con, args.files, year=args.year, replace_synthetic=args.replace_synthetic,
                              progress=None if args.quiet else text_progress)
        access_log.write(con, command_line(), "imported", ", ".join(str(f) for f in args.files))
    except (PseudonymKeyError, ImportRefused) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        con.close()
    real = any(f.status == "loaded" for f in report.files)
    print(f"Store: {path}" + (" (holds real, pseudonymised data)" if real else ""))
    print(report.text())
    return 1 if report.any_refused else 0


if __name__ == "__main__":
    raise SystemExit(main())

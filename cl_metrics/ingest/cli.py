"""`python -m cl_metrics import FILE... --db PATH [--year YYYY] [--replace] [--force] [--dry-run]`:
the command-line import, and `--remove TABLE:YEAR` to take a table's year out of the store.

Each file is checked against its collection year's 903 spec and compared with what is stored for
its table and year before anything is written; the report says, per file, rows loaded, flags by
rule, rows refused, and rows added, changed and removed.

Exit status:
  0  every file loaded, or the store already held it (some rows may be flagged or refused: see
     the report); --remove done
  1  a file was refused whole (not a 903 or template file, empty, unreadable, no year...)
  2  nothing could be done: no pseudonymisation key, another key than the store's, the store is
     locked or not a store, a synthetic store without --replace-synthetic, a bad --remove
  3  a file was held back, nothing of it written: it would change or remove stored rows (use
     --replace), or it is over a safety limit (more than 5% of rows refused, removes more than it
     adds, blanks stored values: use --force)
When several apply, the highest number wins.
"""
from __future__ import annotations

import argparse
import re
import sys

import duckdb

from cl_metrics import benchmarks, store
from cl_metrics.access import command_line
from cl_metrics.access import log as access_log
from cl_metrics.ingest.loader import import_files, remove
from cl_metrics.ingest.pseudonym import PseudonymKeyError, load_key
from cl_metrics.ingest.report import ImportRefused, ImportReport
from cl_metrics.progress import text_progress
from cl_metrics.spec import year_label

LOADED, REFUSED, CANNOT, HELD = 0, 1, 2, 3
TABLE_YEAR = re.compile(r"([a-z_0-9]+):(\d{4})")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m cl_metrics import", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__[__doc__.index("Exit status"):])
    p.add_argument("files", nargs="*", metavar="FILE", help="903 CSV or XML files, or data/templates/*.csv")
    p.add_argument("--db", help="store file; created if missing (default: $CL_STORE or data/care_leavers.duckdb)")
    p.add_argument("--year", type=int, help="collection year, the year ending 31 March (default: from the file name)")
    p.add_argument("--replace", action="store_true",
                   help="each file replaces the stored rows of its table and year (without it, files only add rows)")
    p.add_argument("--force", action="store_true",
                   help="write files held back by a safety limit (refused share over 5%%, removes more than it adds, "
                        "blanks stored values)")
    p.add_argument("--dry-run", action="store_true", help="report what the import would do; write nothing")
    p.add_argument("--remove", metavar="TABLE:YEAR", help="remove a table's rows for one collection year, e.g. oc3:2023")
    p.add_argument("--replace-synthetic", action="store_true",
                   help="empty a synthetic store's tables before loading real data into it")
    p.add_argument("--authority", type=_authority, metavar="AUTHORITY",
                   help="the authority whose files these are (a name, 3-digit code or E-code), recorded in the "
                        "store so its figures sit beside its region and statistical neighbours")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def _authority(text: str) -> str:
    try:
        return benchmarks.authority(text).code
    except LookupError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def exit_status(report: ImportReport) -> int:
    if report.any_held:
        return HELD
    return REFUSED if report.any_refused else LOADED


def _remove(con, target: str) -> int:
    m = TABLE_YEAR.fullmatch(target)
    if not m:
        print(f"error: --remove takes TABLE:YEAR, e.g. oc3:2023 (got {target!r})", file=sys.stderr)
        return CANNOT
    removed = remove(con, m.group(1), int(m.group(2)))
    print(f"Removed {removed:,} {m.group(1)} rows for {year_label(int(m.group(2)))}.")
    return LOADED


def main(argv: list[str] | None = None) -> int:
    """Run an import (or a removal) and print a per-file report; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["import"]:
        argv = argv[1:]
    args = parser().parse_args(argv)
    if not args.files and not args.remove:
        parser().print_usage(sys.stderr)
        print("error: give the files to import, or --remove TABLE:YEAR", file=sys.stderr)
        return CANNOT
    path = store.resolve_path(args.db)
    try:
        load_key()  # before a new store file is made
        con = store.connect(path, create=not args.remove)  # removing from a store that is not there makes none
    except (PseudonymKeyError, store.StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return CANNOT
    try:
        if args.remove:
            return _remove(con, args.remove)
        report = import_files(con, args.files, year=args.year, replace_synthetic=args.replace_synthetic,
                              replace=args.replace, force=args.force, dry_run=args.dry_run,
                              progress=None if args.quiet else text_progress)
        if not args.dry_run:
            access_log.write(con, command_line(), "imported", ", ".join(str(f) for f in args.files))
            if args.authority and store.get_info(con).get("source") == "real":
                store.set_info(con, authority=args.authority)
    except (PseudonymKeyError, ImportRefused) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return CANNOT
    except duckdb.Error as exc:  # a file damaged or changed under us: a message, not a traceback
        print(f"error: the store could not be written: {exc}", file=sys.stderr)
        return CANNOT
    finally:
        con.close()
    real = any(f.status == "loaded" for f in report.files) and not report.dry_run
    print(f"Store: {path}" + (" (holds real, pseudonymised data)" if real else ""))
    print(report.text())
    return exit_status(report)


if __name__ == "__main__":
    raise SystemExit(main())

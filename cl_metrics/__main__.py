"""`python -m cl_metrics indicators|import ...`: the library's command line.

On a store that is missing, empty, half-built or not a store, every command says what is wrong
and what to do (exit status 2 when the store cannot be used, 1 when it holds no records yet),
never a traceback.
"""
from __future__ import annotations

import argparse
import json
import sys

import duckdb

from cl_metrics import store
from cl_metrics.disclosure import DEFAULT_THRESHOLD
from cl_metrics.indicators import compute
from cl_metrics import views

COLUMNS = ["indicator_id", "domain", "status", "numerator", "denominator", "value", "suppressed"]


def indicators(args: argparse.Namespace) -> int:
    """Every indicator for one year, after disclosure control."""
    path = store.resolve_path(args.db)
    con = store.connect(path, read_only=True)
    try:
        return _print_indicators(con, path, args)
    finally:
        con.close()


def _print_indicators(con: duckdb.DuckDBPyConnection, path, args: argparse.Namespace) -> int:
    no_records = (f"{path} holds no records yet (nothing imported, or every import was refused or held back). "
                  f"Import the authority's files with: python -m cl_metrics import FILE... --db {path}")
    if not store.has_person_year(con):
        print(no_records, file=sys.stderr)
        return 1
    years = compute.years(con)
    year = args.year or max(years, default=None)
    if year is None:
        print(no_records, file=sys.stderr)
        return 1
    if year not in years:
        print(f"{path} holds no records for {year}; it holds {', '.join(map(str, years))}.", file=sys.stderr)
        return 1
    table = views.indicator_figures(con, year, args.mode, args.threshold)
    table = table.rename(columns={"indicator_id": "id"})[["id", *COLUMNS[1:], "display"]]
    table.insert(1, "collection_year", year)
    if args.format == "json":
        print(json.dumps(json.loads(table.to_json(orient="records")), indent=1))
    else:
        sys.stdout.write(table.to_csv(index=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["import"]:  # the importer has its own parser and report
        from cl_metrics.ingest.cli import main as import_main
        return import_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m cl_metrics")
    commands = parser.add_subparsers(dest="command", required=True)
    ind = commands.add_parser("indicators", help="print every indicator's figure")
    ind.add_argument("--db", help="store file (default: $CL_STORE or data/care_leavers.duckdb)")
    ind.add_argument("--year", type=int, help="collection year (default: the latest)")
    ind.add_argument("--mode", choices=["workshop", "analyst"], default="analyst")
    ind.add_argument("--threshold", type=int, default=DEFAULT_THRESHOLD, help="hide counts below this")
    ind.add_argument("--format", choices=["csv", "json"], default="csv")
    ind.set_defaults(run=indicators)
    commands.add_parser("import", help="load SSDA903 CSVs or local templates: import FILE... --db PATH [--year YYYY]")
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except store.StoreError as exc:
        print(exc, file=sys.stderr)
        return 2
    except duckdb.Error as exc:  # a file damaged or changed under us: a message, not a traceback
        print(f"The store could not be read: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())

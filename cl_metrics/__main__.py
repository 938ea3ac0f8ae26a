"""`python -m cl_metrics indicators|import|audit|staff ...`: the library's command line.

Whoever runs it can already read the store file, so it acts as an analyst (access.command_line);
what it prints still passes the same disclosure rules and CSV writer as the pages.

On a store that is missing, empty, half-built or not a store, every command says what is wrong
and what to do (exit status 2 when the store cannot be used, 1 when it holds no records yet),
never a traceback.
"""
from __future__ import annotations

import argparse
import getpass
import json
import sys

import duckdb

from cl_metrics import benchmarks, store, views
from cl_metrics.access import accounts, command_line, label, roles
from cl_metrics.access import log as access_log
from cl_metrics.disclosure import DEFAULT_THRESHOLD, checked_threshold
from cl_metrics.export import csv_text
from cl_metrics.indicators import compute

COLUMNS = ["indicator_id", "domain", "status", "numerator", "denominator", "value", "suppressed"]
# DfE's published figures for the same year (blank where none is published): England, the store's
# region and its statistical neighbours' mean.
COMPARATORS = ["england", "region", "neighbours_mean"]


def threshold(text: str) -> int:
    """A threshold may be raised above the default, never lowered below it (disclosure's rule)."""
    value = int(text)  # not a number: argparse says so
    try:
        return checked_threshold(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _authority(text: str) -> benchmarks.Area:
    try:
        return benchmarks.authority(text)
    except LookupError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


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
    compare = args.compare.code if args.compare else None
    table = views.indicator_figures(con, year, args.mode, args.threshold, compare=compare)
    columns = ["id", *COLUMNS[1:], "display", *COMPARATORS]
    table = table.rename(columns={"indicator_id": "id"})
    if compare:  # the chosen authority's published figure, under a name that says which
        table = table.rename(columns={"compare": f"compare_{compare}"})
        columns.append(f"compare_{compare}")
    table = table[columns]
    table.insert(1, "collection_year", year)
    if args.format == "json":
        print(json.dumps(json.loads(table.to_json(orient="records")), indent=1))
    else:
        sys.stdout.write(csv_text(table, args.mode))
    return 0


def audit(args: argparse.Namespace) -> int:
    """The access log, newest first: who signed in, used analyst mode, imported, viewed or downloaded."""
    con = store.connect(store.resolve_path(args.db), read_only=True)
    entries = access_log.entries(con, command_line(), args.limit)
    if entries.empty:
        print("The access log is empty.", file=sys.stderr)
        return 0
    sys.stdout.write(csv_text(entries, "analyst"))
    return 0


def staff(args: argparse.Namespace) -> int:
    """Local staff accounts: add (asks for the password twice, never echoed), remove, list."""
    path = accounts.staff_file()
    if args.action == "list":
        for account in accounts.accounts(path).values():
            print(f"{account.name}\t{account.role}")
        return 0
    if args.action == "remove":
        accounts.remove(args.name, path)
        print(f"Removed {args.name} from {path}.")
        return 0
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"Password for {args.name}: ")
        if getpass.getpass("The same password again: ") != password:
            print("error: the two passwords differ; nothing was changed.", file=sys.stderr)
            return 2
    accounts.add(args.name, args.role, password, path)
    print(f"{args.name} can now sign in as {label(args.role).lower()}; the password's argon2 hash is in {path}.")
    return 0


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cl_metrics")
    commands = parser.add_subparsers(dest="command", required=True)
    ind = commands.add_parser("indicators", help="print every indicator's figure")
    ind.add_argument("--db", help="store file (default: $CL_STORE or data/care_leavers.duckdb)")
    ind.add_argument("--year", type=int, help="collection year (default: the latest)")
    ind.add_argument("--mode", choices=["workshop", "analyst"], default="analyst")
    ind.add_argument("--threshold", type=threshold, default=DEFAULT_THRESHOLD,
                     help=f"workshop mode hides counts below this (at least {DEFAULT_THRESHOLD})")
    ind.add_argument("--format", choices=["csv", "json"], default="csv")
    ind.add_argument("--compare", type=_authority, metavar="AUTHORITY",
                     help="add another authority's published figures: a name, a 3-digit code (850) or an E-code")
    ind.set_defaults(run=indicators)
    log = commands.add_parser("audit", help="print the access log")
    log.add_argument("--db", help="store file (default: $CL_STORE or data/care_leavers.duckdb)")
    log.add_argument("--limit", type=int, help="only the newest LIMIT entries")
    log.set_defaults(run=audit)
    accts = commands.add_parser("staff", help="local staff accounts, for a laptop with no identity provider")
    accts.add_argument("action", choices=["add", "remove", "list"])
    accts.add_argument("name", nargs="?", help="the name to sign in with")
    accts.add_argument("--role", choices=list(roles().roles), default="viewer")
    accts.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    accts.set_defaults(run=staff)
    commands.add_parser("import", help="load SSDA903 CSVs or local templates: import FILE... --db PATH [--year YYYY]")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["import"]:  # the importer has its own parser and report
        from cl_metrics.ingest.cli import main as import_main
        return import_main(argv[1:])
    args = parser().parse_args(argv)
    if args.command == "staff" and args.action != "list" and not args.name:
        parser().error(f"staff {args.action} needs a NAME")
    try:
        return args.run(args)
    except (store.StoreError, accounts.AccountError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except duckdb.Error as exc:  # a file damaged or changed under us: a message, not a traceback
        print(f"The store could not be read: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())

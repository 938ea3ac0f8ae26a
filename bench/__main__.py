"""`python -m bench [--million]`: sizes and times at several scales, beside a plain pandas reference.

For each scale it builds a synthetic store, then times: all built-in indicators (cold: the first
query on a freshly opened connection; warm: the median of several), one breakdown, one lab query
(a candidate built in code), the same indicators in pandas (`bench.reference`, on the frame DuckDB
hands over and with its coded fields as plain strings) and the ratios, and
three workshop load runs (`workshop_load`: participants in threads sending answers while a
facilitator watches): a burst, everyone at once with no pause; a room, where each takes a second
or so to read a card before answering; and all-read, a burst in which every phone also re-reads
the room's results. It prints a table and saves the rows, with machine information, to
bench/results/bench.csv. Not part of pytest: it takes minutes, and its numbers depend on the machine.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from bench import reference
from cl_metrics import memo, session, store
from cl_metrics.access import command_line
from cl_metrics import workshop as ws
from cl_metrics.indicators import Indicator, builtin, compute
from cl_metrics.lab import comparison
from synthetic.generate import write_store

FACILITATOR = ANALYST = command_line()  # the bench runs as whoever starts it, like the CLI

SCALES = (1_000, 10_000, 100_000)
MILLION = 1_000_000
RESULTS = Path(__file__).parent / "results" / "bench.csv"
BREAKDOWN = "adviser_team"
SEED = 1

# A lab-style candidate: not in education, employment or training and not feeling safe at home.
CANDIDATE = {
    "id": "bench_neet_unsafe_home", "domain": "safe_risk_taking", "status": "candidate",
    "title": "Not in work or study and not feeling safe at home",
    "question": "Are you out of work or study and not feeling safe where you live?",
    "description": "Care leavers aged 19 to 21 not in education, employment or training who say they do not "
                   "feel safe where they live.",
    "unit": "percent", "better": "lower", "voice": "self-reported",
    "population": [{"field": "in_oc3", "op": "is_true"}, {"field": "age", "op": "between", "values": [19, 21]},
                   {"field": "yp_feels_safe_home", "op": "not_null"}],
    "numerator": [{"field": "ACTIV", "op": "in", "values": ["G4", "G5", "G6"]},
                  {"field": "yp_feels_safe_home", "op": "is_false"}],
}


def seconds(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    return statistics.median(seconds(run) for _ in range(repeats))


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share 0.95 for p95)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(share * len(ordered))) - 1))]


def indicator_times(path: Path, repeats: int) -> dict:
    """Cold and warm all-indicator compute, a breakdown, a lab query, and the pandas reference."""
    indicators = builtin()
    con = store.connect(path, read_only=True)
    try:
        year = max(compute.years(con))
        everything = lambda: compute.headline(con, indicators, year, mode="analyst")  # noqa: E731
        cold = seconds(everything)
        warm = median_seconds(everything, repeats)
        breakdown = median_seconds(lambda: compute.breakdown(con, indicators, BREAKDOWN, year, mode="analyst"),
                                   repeats)
        with memo.afresh():  # the lab's figures are kept for pages; time the work itself
            lab = median_seconds(lambda: comparison(con, Indicator.model_validate(CANDIDATE), year, "analyst"),
                                 repeats)
        loaded = time.perf_counter()
        frame = reference.load_person_year(con)
        load = time.perf_counter() - loaded
        pandas = median_seconds(lambda: reference.compute(frame, indicators, year), max(1, repeats // 2))
        strings = reference.with_plain_strings(frame)
        pandas_strings = median_seconds(lambda: reference.compute(strings, indicators, year), max(1, repeats // 2))
        rows = len(frame)
    finally:
        con.close()
    return {"person_year_rows": rows, "indicators_cold_s": cold, "indicators_warm_s": warm,
            "breakdown_warm_s": breakdown, "lab_query_warm_s": lab, "pandas_load_s": load,
            "pandas_indicators_s": pandas, "pandas_over_sql": pandas / warm,
            "pandas_strings_s": pandas_strings, "pandas_strings_over_sql": pandas_strings / warm}


FACILITATOR_REFRESH = 3.0  # seconds: the facilitator's live results re-run this often (pages/workshop.py)


def workshop_load(path: Path, participants: int, votes: int, think: float, prefix: str,
                  every_phone_reads_results: bool = False) -> dict:
    """A workshop as the app runs it: participants in threads, all released at once, each pausing
    `think` seconds on average (0.5 to 1.5 times it) before sending an answer to each card, then
    re-running their page (the next card's figures, `workshop.cards`), while one facilitator
    re-reads the room's results every FACILITATOR_REFRESH seconds. `every_phone_reads_results`
    makes each participant re-read the results after each answer instead: more than the app
    does, kept as a harder test. Latencies in seconds, keys starting with `prefix`."""
    opened = session.open_store(path)
    try:
        room = ws.create_workshop(opened, FACILITATOR, "Bench room", builtin()[:votes])
        year = max(compute.years(opened.cursor()))
        start = threading.Barrier(participants + 1)
        finished = threading.Event()
        submits, rerenders, readings, errors = [], [], [], []

        def participant(number: int) -> None:
            try:
                pause = random.Random(number)
                cursor = opened.cursor()
                start.wait()
                for card, indicator_id in enumerate(room.indicator_ids):
                    time.sleep(think * pause.uniform(0.5, 1.5))
                    submits.append(seconds(lambda: ws.submit(opened, room.id, f"bench-{number}", indicator_id,
                                                             matters=1 + (number + card) % 5, fair="yes")))
                    if every_phone_reads_results:
                        readings.append(seconds(lambda: ws.results(cursor, ANALYST, room, {}, "workshop")))
                    else:
                        rerenders.append(seconds(lambda: ws.cards(cursor, room, year)))
            except Exception as exc:  # noqa: BLE001 - counted and reported, the run goes on
                errors.append(exc)

        def facilitator() -> None:
            cursor = opened.cursor()
            start.wait()
            while not finished.is_set():
                readings.append(seconds(lambda: ws.results(cursor, ANALYST, room, {}, "analyst")))
                finished.wait(FACILITATOR_REFRESH)

        threads = [threading.Thread(target=participant, args=(n,)) for n in range(participants)]
        watcher = threading.Thread(target=facilitator)
        for thread in [*threads, watcher]:
            thread.start()
        for thread in threads:
            thread.join()
        finished.set()
        watcher.join()
    finally:
        opened.connection.close()
    if not submits:
        return {"workshop_note": f"failed: {errors[0]!r}" if errors else "no votes sent"}
    found = {"participants": participants, "votes": len(submits), "errors": len(errors),
             "vote_p50_s": statistics.median(submits), "vote_p95_s": percentile(submits, 0.95),
             "results_p95_s": percentile(readings, 0.95)}
    if rerenders:
        found["page_p95_s"] = percentile(rerenders, 0.95)
    note = {"workshop_note": f"{len(errors)} errors: {errors[0]!r}"} if errors else {}
    return {**{f"{prefix}_{key}": value for key, value in found.items()}, **note}


def measure(people: int, folder: Path, args: argparse.Namespace) -> dict:
    path = folder / f"bench_{people}.duckdb"
    generation = seconds(lambda: write_store(path, people=people, seed=SEED))
    row = {"people": people, "generation_s": generation, "store_mib": path.stat().st_size / 2**20}
    row.update(indicator_times(path, args.repeats))
    row.update(workshop_load(path, args.participants, args.votes, 0.0, "burst"))
    row.update(workshop_load(path, args.participants, args.votes, args.think, "room"))
    row.update(workshop_load(path, args.participants, args.votes, 0.0, "allread", every_phone_reads_results=True))
    path.unlink()
    return row


def machine() -> dict:
    return {"when": dt.datetime.now().isoformat(timespec="seconds"), "cpus": os.cpu_count(),
            "load_1min": round(os.getloadavg()[0], 2), "python": platform.python_version(),
            "duckdb": duckdb.__version__, "platform": platform.platform()}


# Printed columns: header, row key, format.
TABLE = [("people", "people", "{:,}"), ("gen s", "generation_s", "{:.1f}"), ("MiB", "store_mib", "{:.0f}"),
         ("rows", "person_year_rows", "{:,}"), ("cold s", "indicators_cold_s", "{:.3f}"),
         ("warm s", "indicators_warm_s", "{:.3f}"), ("brkdn s", "breakdown_warm_s", "{:.3f}"),
         ("lab s", "lab_query_warm_s", "{:.3f}"), ("pd load s", "pandas_load_s", "{:.1f}"),
         ("pandas s", "pandas_indicators_s", "{:.3f}"), ("pd/sql", "pandas_over_sql", "{:.1f}x"),
         ("pd str s", "pandas_strings_s", "{:.3f}"), ("str/sql", "pandas_strings_over_sql", "{:.1f}x"),
         ("burst vote p50/p95 ms", ("burst_vote_p50_s", "burst_vote_p95_s"), "ms"),
         ("burst page p95 ms", "burst_page_p95_s", "ms"),
         ("room vote p50/p95 ms", ("room_vote_p50_s", "room_vote_p95_s"), "ms"),
         ("room results p95 ms", "room_results_p95_s", "ms"),
         ("all-read vote p50/p95 ms", ("allread_vote_p50_s", "allread_vote_p95_s"), "ms")]


def cell(row: dict, key: str | tuple[str, ...], fmt: str) -> str:
    if isinstance(key, tuple):
        return "/".join(cell(row, k, fmt) for k in key)
    if row.get(key) is None:
        return "-"
    return f"{1000 * row[key]:.0f}" if fmt == "ms" else fmt.format(row[key])


def print_row(row: dict | None) -> None:
    """One table line (the header when row is None), aligned to the header widths."""
    cells = [h if row is None else cell(row, key, fmt) for h, key, fmt in TABLE]
    print("  ".join(c.rjust(max(len(h), 7)) for c, (h, _, _) in zip(cells, TABLE)), flush=True)


def append(rows: list[dict], path: Path) -> None:
    """Append to the CSV; when the bench has gained columns, the file is rewritten with all of them
    (older rows leave the new ones blank), so no measurement is dropped."""
    old = []
    if path.exists():
        with open(path, newline="") as fh:
            old = list(csv.DictReader(fh))
    columns = list(dict.fromkeys(key for row in [*old, *rows] for key in row))
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, columns)
        writer.writeheader()
        writer.writerows([*old, *rows])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["workshop"]:  # a room of phones through the real server (bench/room.py)
        from bench.room import main as room_main
        return room_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--million", action="store_true", help="also run at 1,000,000 young people (minutes)")
    parser.add_argument("--scales", type=int, nargs="+", default=list(SCALES), help="young people per store")
    parser.add_argument("--repeats", type=int, default=7, help="runs per warm timing (median)")
    parser.add_argument("--participants", type=int, default=40, help="workshop threads")
    parser.add_argument("--votes", type=int, default=20, help="votes per participant (one per card)")
    parser.add_argument("--think", type=float, default=1.0, help="seconds a room's participant reads a card")
    parser.add_argument("--out", type=Path, default=RESULTS, help="CSV to append to (default %(default)s)")
    args = parser.parse_args(argv)
    scales = [*args.scales, *([MILLION] if args.million else [])]
    info = machine()
    print(f"{info['cpus']} CPUs, load {info['load_1min']}, Python {info['python']}, DuckDB {info['duckdb']}; "
          f"{len(builtin())} indicators, warm = median of {args.repeats}; times in seconds unless ms", flush=True)
    print_row(None)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_") as folder:
        for people in scales:
            row = {**info, **measure(people, Path(folder), args)}
            rows.append(row)
            print_row(row)
            if row.get("workshop_note"):
                print(f"  workshop at {people:,}: {row['workshop_note']}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    append(rows, args.out)
    print(f"Appended {len(rows)} rows to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

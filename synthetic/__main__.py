"""`python -m synthetic [--like AUTHORITY | --people N] --seed S --out PATH`: write a complete synthetic store.

With --like (a name or an LA code, e.g. "North Yorkshire" or 815) the store is a twin of that authority:
made-up young people whose OC3 return reproduces its published counts, at its own size. Without it
the store follows England's published proportions for --people young people."""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from cl_metrics import benchmarks, store, views
from cl_metrics.progress import text_progress
from cl_metrics.store import DEFAULT_STORE
from synthetic.generate import DEFAULT_LAST_YEAR, DEFAULT_PEOPLE, DEFAULT_SEED, write_store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m synthetic", description=__doc__.split("\n\n")[0],
                                     epilog=__doc__.split("\n\n")[1])
    parser.add_argument("--like", metavar="AUTHORITY",
                        help="a twin of this authority (a name, a 3-digit code or an E-code), at its own size")
    parser.add_argument("--people", type=int, help=f"young people, England's proportions (default {DEFAULT_PEOPLE})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)")
    parser.add_argument("--last-year", type=int, default=DEFAULT_LAST_YEAR,
                        help="latest collection year, ending 31 March (default %(default)s); 5 years are made")
    parser.add_argument("--out", type=Path, default=DEFAULT_STORE, help="store file (default %(default)s)")
    parser.add_argument("--clean", action="store_true",
                        help="leave out the deliberate mistakes (by default a declared share of records breaks the "
                             "903 validator's rules, as real files do)")
    args = parser.parse_args(argv)
    if args.like and args.people is not None:
        parser.error("--like makes the authority's own number of young people; leave out --people")
    if args.people is not None and args.people < 1:
        parser.error("--people must be at least 1")
    if args.like:
        try:
            benchmarks.authority(args.like)
        except LookupError as exc:
            parser.error(str(exc))
    started = time.perf_counter()
    path = write_store(args.out, people=args.people or DEFAULT_PEOPLE, seed=args.seed, last_year=args.last_year,
                       progress=text_progress, like=args.like, clean=args.clean)
    con = store.connect(path, read_only=True)
    summary, made = store.summary(con, path), int(store.get_info(con)["people"])
    con.close()
    size = path.stat().st_size / 2**20
    print(f"Wrote {path} in {time.perf_counter() - started:.1f} s, {size:.1f} MiB: {made:,} young people. "
          f"{views.source_label(summary)}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

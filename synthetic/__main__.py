"""`python -m synthetic --people N --seed S --out PATH`: write a complete synthetic store."""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from cl_metrics.store import DEFAULT_STORE
from synthetic.generate import DEFAULT_LAST_YEAR, DEFAULT_PEOPLE, DEFAULT_SEED, write_store
from cl_metrics.progress import text_progress


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m synthetic", description=__doc__)
    parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE, help="young people (default %(default)s)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)")
    parser.add_argument("--last-year", type=int, default=DEFAULT_LAST_YEAR,
                        help="latest collection year, ending 31 March (default %(default)s); 5 years are made")
    parser.add_argument("--out", type=Path, default=DEFAULT_STORE, help="store file (default %(default)s)")
    args = parser.parse_args(argv)
    if args.people < 1:
        parser.error("--people must be at least 1")
    started = time.perf_counter()
    path = write_store(args.out, people=args.people, seed=args.seed, last_year=args.last_year,
                       progress=text_progress)
    size = path.stat().st_size / 2**20
    print(f"Wrote {path} ({args.people:,} young people, seed {args.seed}) in "
          f"{time.perf_counter() - started:.1f} s, {size:.1f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""`python -m cl_metrics.benchmarks.bundle DFE_FOLDER`: convert DfE's published files into the
bundled ones (data/benchmarks/), so a new year's release is one command, not hand-typing.

DfE's two figure files (activity, accommodation suitability) become one long file of the measures
measures.toml declares, with DfE's markers (c, z, k, x) kept as text; the areas (England, regions,
authorities) and the statistical neighbour model get a file each. Nothing is rounded or filled in.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from cl_metrics.benchmarks import AREAS_FILE, BENCHMARK_DIR, FIGURES_FILE, NEIGHBOURS_FILE, declarations

LEVELS = {"National": "england", "Regional": "region", "Local authority": "authority"}
NEIGHBOURS_SOURCE = "sn_model_2025_wide.csv"


def _area_code(frame: pd.DataFrame) -> pd.Series:
    """England by its country code, a region by its region code, an authority by its old 3-digit code."""
    level = frame["geographic_level"]
    return frame["country_code"].where(level == "National", frame["region_code"].where(
        level == "Regional", frame["old_la_code"]))


def figures(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(figures, areas) from DfE's figure files, keeping only the declared measures and ages."""
    decl = declarations()
    frames = []
    for file_id, file in decl["files"].items():
        raw = pd.read_csv(folder / file["source"], dtype=str, keep_default_na=False)
        raw["area_code"] = _area_code(raw)
        names = {label: measure for measure, m in decl["measure"].items() if m["file"] == file_id
                 for label in m["breakdown"]}
        raw = raw[raw["breakdown"].isin(names) & raw["care_leaver_age"].isin(decl["ages"])]
        frames.append(raw.assign(measure=raw["breakdown"].map(names), age=raw["care_leaver_age"].map(decl["ages"])))
    raw = pd.concat(frames, ignore_index=True)
    # A measure DfE split across two labels (training or employment) is one row a year: the one with
    # a figure, else a marker other than 'not applicable' (z), which is the other label's row.
    raw = raw.sort_values("care_leaver_count", key=lambda s: s.map(lambda v: 2 if v == "z" else 0 if v.isdigit() else 1),
                          kind="stable")
    table = (raw.drop_duplicates(["time_period", "area_code", "age", "measure"])
             .rename(columns={"time_period": "year", "care_leaver_count": "count", "care_leaver_percent": "percent"})
             [["year", "area_code", "age", "measure", "count", "percent"]]
             .sort_values(["year", "area_code", "age", "measure"], ignore_index=True))
    areas = raw.assign(level=raw["geographic_level"].map(LEVELS),
                       name=raw["la_name"].where(raw["geographic_level"] == "Local authority",
                                                 raw["region_name"].where(raw["geographic_level"] == "Regional",
                                                                          raw["country_name"])),
                       region_code=raw["region_code"].where(raw["geographic_level"] == "Local authority", ""),
                       new_la_code=raw["new_la_code"])
    areas = (areas[["area_code", "level", "name", "region_code", "new_la_code"]]
             .drop_duplicates("area_code").sort_values(["level", "area_code"], ignore_index=True))
    return table, areas


def neighbours(folder: Path) -> pd.DataFrame:
    """DfE's statistical neighbour model, one row per authority and neighbour, closest first."""
    wide = pd.read_csv(folder / NEIGHBOURS_SOURCE, dtype=str, keep_default_na=False)
    rows = [{"la_code": r["old_la_code"], "rank": rank, "neighbour_code": r[f"SN_{rank}"],
             "closeness": r[f"SN_{rank}P"].strip()}
            for _, r in wide.iterrows() for rank in range(1, 11) if r[f"SN_{rank}"]]
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cl_metrics.benchmarks.bundle", description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="the folder holding DfE's CSV files (see data/README.md)")
    parser.add_argument("--out", type=Path, default=BENCHMARK_DIR, help="where the bundled files go (default %(default)s)")
    args = parser.parse_args(argv)
    table, areas = figures(args.folder)
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / FIGURES_FILE.name, index=False)
    areas.to_csv(args.out / AREAS_FILE.name, index=False)
    neighbours(args.folder).to_csv(args.out / NEIGHBOURS_FILE.name, index=False)
    print(f"Wrote {len(table):,} figures for {len(areas):,} areas, years {table['year'].min()}-{table['year'].max()}, "
          f"to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

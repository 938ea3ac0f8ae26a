"""The generator's calibration targets (calibration.toml): one declared table, each target with the
question it sets and its source, read here so no number is typed twice."""
from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

import numpy as np

CALIBRATION = Path(__file__).with_name("calibration.toml")


@cache
def table() -> dict:
    with open(CALIBRATION, "rb") as fh:
        return tomllib.load(fh)


def target(name: str):
    """A target's value (a number, a list or a table)."""
    return table()["target"][name]["value"]


def mix(name: str) -> tuple[list[str], list[float]]:
    """A declared code mix: the codes and their weights, in order."""
    declared = table()["mix"][name]["value"]
    return list(declared), list(declared.values())


def teams(authority: str | None) -> dict:
    """The adviser teams for a twin of `authority` (its own names where declared) or the generic ones."""
    declared = table()["teams"]
    return {**declared, "names": declared.get(f"names_{authority}", declared["names"])}


def team_effect(name: str) -> np.ndarray:
    """One declared effect per team, in the teams' order (the same for every authority)."""
    return np.asarray(table()["teams"][name], dtype=float)

"""The domains of information, read from domains.toml (data, so a workshop can rename, regroup or add them)."""
from __future__ import annotations

import tomllib
from typing import Literal

from pydantic import BaseModel, ConfigDict

from cl_metrics import config

DOMAINS_FILE = "cl_metrics/domains.toml"


class Domain(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str
    name: str
    status: Literal["established", "prototype"]
    summary: str


@config.cached
def domains() -> tuple[Domain, ...]:
    with open(config.path(DOMAINS_FILE), "rb") as fh:
        return tuple(Domain(**d) for d in tomllib.load(fh)["domain"])


def domain(domain_id: str) -> Domain:
    for d in domains():
        if d.id == domain_id:
            return d
    raise KeyError(f"unknown domain '{domain_id}'")


def domain_ids() -> list[str]:
    return [d.id for d in domains()]


NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")


def in_words(count: int) -> str:
    """A count of domains as a title says it ('the nine domains'), digits past twelve."""
    return NUMBER_WORDS[count] if 0 <= count < len(NUMBER_WORDS) else str(count)

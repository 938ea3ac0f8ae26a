"""The indicator registry: built-in declarations from builtin.toml, plus candidates saved in a store."""
from __future__ import annotations

import tomllib

from pydantic import ValidationError

from cl_metrics import config
from cl_metrics.indicators.model import Condition, Indicator, PublishedMeasure

BUILTIN_FILE = "cl_metrics/indicators/builtin.toml"

__all__ = ["Condition", "Indicator", "PublishedMeasure", "DeclarationError", "builtin", "load_declarations"]


class DeclarationError(ValueError):
    """A declaration that cannot be used, saying which file, which indicator and what is wrong."""


def load_declarations(raw: list[dict], where: str) -> tuple[Indicator, ...]:
    """Validate a list of declarations, refusing the lot with every problem named."""
    indicators, problems = [], []
    for position, item in enumerate(raw, start=1):
        name = item["id"] if isinstance(item, dict) and isinstance(item.get("id"), str) else f"#{position}"
        try:
            indicators.append(Indicator.model_validate(item))
        except ValidationError as exc:
            for err in exc.errors():
                location = ".".join(str(part) for part in err["loc"]) or "declaration"
                problems.append(f"{where}, indicator '{name}', {location}: {err['msg']}")
    ids = [ind.id for ind in indicators]
    problems += [f"{where}: indicator id '{i}' is declared more than once" for i in sorted({i for i in ids if ids.count(i) > 1})]
    if problems:
        raise DeclarationError("\n".join(problems))
    return tuple(indicators)


@config.cached
def builtin() -> tuple[Indicator, ...]:
    with open(config.path(BUILTIN_FILE), "rb") as fh:
        return load_declarations(tomllib.load(fh)["indicator"], "builtin.toml")


def by_id(indicator_id: str) -> Indicator:
    for ind in builtin():
        if ind.id == indicator_id:
            return ind
    raise KeyError(f"unknown indicator '{indicator_id}'")


def for_domain(domain_id: str) -> list[Indicator]:
    return [ind for ind in builtin() if ind.domain == domain_id]

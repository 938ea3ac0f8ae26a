"""The glossary: every term the screens use that needs explaining, read from glossary.toml (one file, so
a term is explained once and the same words appear on hover, on the Overview and in a report)."""
from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

GLOSSARY_FILE = Path(__file__).parent / "glossary.toml"


class Term(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    term: str
    meaning: str


@cache
def terms() -> dict[str, Term]:
    """Every term by its id, in the file's order."""
    with open(GLOSSARY_FILE, "rb") as fh:
        return {key: Term(**entry) for key, entry in tomllib.load(fh).items()}


def explain(*ids: str) -> str:
    """The meanings of `ids` for a `help=` tooltip (Markdown, one paragraph each); an unknown id is a
    KeyError, so a misspelt term fails a test rather than showing nothing."""
    return "\n\n".join(f"**{terms()[i].term}**: {terms()[i].meaning}" for i in ids)

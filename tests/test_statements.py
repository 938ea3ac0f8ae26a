"""Checks on synthetic/statements.toml, the short statements shown beside the numbers."""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path

import pytest

from cl_metrics.domains import domain_ids
from synthetic.voice import situations

STATEMENTS_PATH = Path(__file__).resolve().parent.parent / "synthetic" / "statements.toml"

# Every (domain, situation) pair the generator looks up, as declared beside the statements.
REQUIRED = situations()

SPEAKERS = {"young person", "worker"}
MIN_YOUNG_PERSON = 6
MIN_WORKER = 2
MAX_WORDS = 20
MIN_READING_EASE = 60


@pytest.fixture(scope="module")
def statements() -> list[dict]:
    with STATEMENTS_PATH.open("rb") as fh:
        data = tomllib.load(fh)
    items = data.get("statement")
    assert isinstance(items, list) and items, "expected [[statement]] tables"
    return items


def test_every_statement_has_the_fields(statements):
    for item in statements:
        assert set(item) == {"domain", "situation", "speaker", "text"}, item
        for key, value in item.items():
            assert isinstance(value, str) and value.strip(), (key, item)


def test_speakers_are_known(statements):
    bad = [s for s in statements if s["speaker"] not in SPEAKERS]
    assert not bad, bad


def test_every_required_pair_is_covered(statements):
    counts = Counter((s["domain"], s["situation"], s["speaker"]) for s in statements)
    missing = []
    for domain, situation in REQUIRED:
        yp = counts[(domain, situation, "young person")]
        worker = counts[(domain, situation, "worker")]
        if yp < MIN_YOUNG_PERSON or worker < MIN_WORKER:
            missing.append((domain, situation, yp, worker))
    assert not missing, f"(domain, situation, young person, worker) short: {missing}"


def test_no_unknown_pairs(statements):
    unknown = {(s["domain"], s["situation"]) for s in statements} - set(REQUIRED)
    assert not unknown, unknown


def test_every_domain_has_situations_and_only_declared_domains_do():
    assert {domain for domain, _ in REQUIRED} == set(domain_ids())


def test_no_duplicate_texts(statements):
    counts = Counter(s["text"].strip().casefold() for s in statements)
    dupes = [t for t, n in counts.items() if n > 1]
    assert not dupes, dupes


def test_no_double_quotes(statements):
    bad = [s["text"] for s in statements if '"' in s["text"]]
    assert not bad, bad


def test_texts_are_short(statements):
    bad = [(len(s["text"].split()), s["text"]) for s in statements if len(s["text"].split()) > MAX_WORDS]
    assert not bad, bad


def test_texts_are_easy_to_read(statements, reading_ease):
    bad = []
    for s in statements:
        score = reading_ease(s["text"])
        if score < MIN_READING_EASE:
            bad.append((score, s["text"]))
    assert not bad, bad

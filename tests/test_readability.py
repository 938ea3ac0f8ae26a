"""cl_metrics.readability: Flesch reading ease, offline, with known answers."""
from __future__ import annotations

import socket

import pyphen
import pytest

from cl_metrics.indicators import builtin
from cl_metrics.readability import flesch_reading_ease

PLAIN = "The cat sat on the mat."  # 6 words, 6 syllables, 1 sentence
HARD = ("Notwithstanding considerable organisational heterogeneity, intergenerational socioeconomic "
        "disadvantage perpetuates institutionalised marginalisation.")


def test_a_plain_sentence_scores_by_the_flesch_formula():
    assert flesch_reading_ease(PLAIN) == pytest.approx(206.835 - 1.015 * 6 - 84.6 * 1)
    assert flesch_reading_ease(PLAIN) > 60


def test_a_long_polysyllabic_sentence_is_hard():
    assert flesch_reading_ease(HARD) < 30


def test_sentence_length_is_per_sentence_and_fragments_do_not_count():
    two_sentences = "The cat sat on the mat. The dog sat on the rug."  # 12 words in 2 sentences
    assert flesch_reading_ease(two_sentences) == pytest.approx(flesch_reading_ease(PLAIN))
    with_fragments = "Yes. No. " + PLAIN  # 8 words; "Yes." and "No." are too short to be sentences
    assert flesch_reading_ease(with_fragments) == pytest.approx(206.835 - 1.015 * 8 - 84.6 * 1)


def test_punctuation_is_not_a_word_and_contractions_are_one():
    four_words = 206.835 - 1.015 * 4 - 84.6 * 1
    assert flesch_reading_ease("Don't stop, we've won!") == pytest.approx(four_words)
    assert flesch_reading_ease("") == flesch_reading_ease("?!") == 0.0


def test_every_builtin_question_is_plain_with_no_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("readability reached for the network")

    for name in ("socket", "create_connection", "getaddrinfo"):
        monkeypatch.setattr(socket, name, no_network)
    monkeypatch.setattr(pyphen, "hdcache", {})  # read the hyphenation dictionary afresh, offline
    scores = {ind.id: flesch_reading_ease(ind.question) for ind in builtin()}
    assert len(scores) >= 32
    assert {i: s for i, s in scores.items() if s < 60} == {}

"""Flesch reading ease of a short text, computed offline.

The lab and the tests check that questions and statements are plain enough for a young person.
textstat would need NLTK's CMU dictionary, which it downloads on first use, and the app never
reaches for the network. This counts syllables with pyphen's bundled hyphenation dictionary
instead, with textstat's own rules for words and sentences, so its scores are the ones textstat
gives without the CMU dictionary (the scores the tests have always checked).
"""
from __future__ import annotations

import re

from pyphen import Pyphen

# Flesch (1948) for English: 206.835 - 1.015 * words per sentence - 84.6 * syllables per word.
BASE, PER_WORD_IN_SENTENCE, PER_SYLLABLE_IN_WORD = 206.835, 1.015, 84.6
# A stray apostrophe is punctuation; one that starts a contraction ending (don't, we've) is not.
STRAY_APOSTROPHE = re.compile(r"'(?!(?:[tsd]|ve|ll|re))")
PUNCTUATION = re.compile(r"[^\w\s']")
SENTENCE = re.compile(r"\b[^.!?]+[.!?]*")
MIN_SENTENCE_WORDS = 3  # shorter pieces ("Yes.", "e.g.") do not count as sentences


def _words(text: str) -> list[str]:
    """The text's words, lower-cased, without punctuation (hyphenated words stay whole)."""
    return PUNCTUATION.sub("", STRAY_APOSTROPHE.sub("", text)).lower().split()


def _sentence_count(text: str) -> int:
    """Sentences of at least MIN_SENTENCE_WORDS words, and never fewer than one."""
    pieces = SENTENCE.findall(text)
    return max(1, sum(len(_words(p)) >= MIN_SENTENCE_WORDS for p in pieces))


def _syllable_count(word: str) -> int:
    """Syllables in one word: one more than its hyphenation points.

    Pyphen reads its bundled en_US dictionary once per process and keeps it, so this stays cheap.
    """
    return len(Pyphen(lang="en_US").positions(word)) + 1


def flesch_reading_ease(text: str) -> float:
    """Flesch reading ease: 60 or more is plain English, below 30 is hard. 0.0 for a text with no words."""
    found = _words(text)
    if not found:
        return 0.0
    words_per_sentence = len(found) / _sentence_count(text)
    syllables_per_word = sum(map(_syllable_count, found)) / len(found)
    return BASE - PER_WORD_IN_SENTENCE * words_per_sentence - PER_SYLLABLE_IN_WORD * syllables_per_word


def shown_reading_ease(text: str) -> float:
    """Reading ease on the 0-100 scale people are told about.

    Flesch's formula is not bounded: a short sentence of one-syllable words scores above 100 ("Do
    you have a GP?" gives 117) and a long one of long words below 0. "Reading ease 117" reads as a
    mistake, so a screen shows the score clamped; the checks still compare the raw score."""
    return min(100.0, max(0.0, flesch_reading_ease(text)))

"""Untrusted text is text: cl_metrics.text.plain leaves nothing for Markdown to act on."""
from __future__ import annotations

import re

import pytest

from cl_metrics.text import WORD_JOINER, plain
from tests.conftest import as_read

HOSTILE = ["![x](http://127.0.0.1:9/x.png)", "[click](javascript:alert(1))", "<img src=x onerror=alert(1)>",
           ":red[alarm] :material/warning:", "# Heading\n\n- list", "`code` **bold** _it_ ~~gone~~ $x^2$",
           "me@example.org www.example.org HTTPS://EXAMPLE.ORG", "a | table | row", "back\\slash"]


@pytest.mark.parametrize("text", HOSTILE)
def test_every_markdown_character_is_escaped_and_the_words_are_kept(text):
    escaped = plain(text)
    unescaped = re.sub(r"\\(.)", "", escaped)  # what is left once escaped characters are taken out
    assert not re.search(r"[!\[\]()<>`*_~:#|$@\\.-]", unescaped.replace(WORD_JOINER, ""))
    assert as_read(escaped) == re.sub(r"\s*[\r\n]+\s*", " ", text)  # the same words, on one line
    assert "\n" not in escaped


def test_bare_addresses_cannot_become_links():
    shown = plain("see http://x.org, www.y.org or a@b.org")
    assert "http" + WORD_JOINER in shown and "www" + WORD_JOINER in shown and WORD_JOINER + "\\@" in shown

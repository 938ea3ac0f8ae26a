"""Untrusted text as text: the one helper for putting words from a file, a form or a URL on a screen.

Streamlit renders titles, captions, messages, metric labels, radio and pill labels as Markdown, so a
title like `![x](http://host/x.png)` would fetch an image from another server. `plain` escapes every
ASCII punctuation character (CommonMark lets any of them be escaped, which stops images, links,
HTML, emoji shortcodes and Streamlit's colour directives) and folds line breaks into spaces.
Streamlit also turns bare web and e-mail addresses into links after parsing, escapes or not, so an
invisible word joiner (U+2060) goes where such a link would start ("http://", "www.", "@"): the
words look exactly as typed, and nothing in them can be clicked or fetched.
"""
from __future__ import annotations

import re
import string

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_LINK_STARTS = re.compile(r"(?i)(https?|ftp|www)(?=[:.])|(?=@)")
_BREAKS = re.compile(r"\s*[\r\n]+\s*")
WORD_JOINER = "\u2060"


def plain(text: object) -> str:
    """`text` escaped for Markdown: shown as the characters it holds, on one line, never a link."""
    unlinked = _LINK_STARTS.sub(lambda m: (m.group(1) or "") + WORD_JOINER, _BREAKS.sub(" ", str(text)))
    return _PUNCTUATION.sub(r"\\\1", unlinked)

"""What a workshop puts on paper and on the projector: printable cards and the join QR code."""
from __future__ import annotations

import html
import io

import pandas as pd
import segno

from cl_metrics.views import YOUNG_PEOPLES_WORDS
from cl_metrics.workshop.answers import FAIR, MATTERS
from cl_metrics.workshop.rooms import Workshop

PRINT_STYLE = """
.cl-cards { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: #111; }
.cl-card { border: 2px solid #333; border-radius: 12px; padding: 24px; margin: 16px auto; max-width: 640px; }
.cl-card .cl-meta { font-size: 15px; color: #333; }
.cl-card h2 { font-size: 28px; margin: 8px 0; }
.cl-card .cl-question { font-size: 22px; }
.cl-card .cl-figure { font-size: 56px; font-weight: 700; margin: 12px 0 4px; }
.cl-card .cl-answer { font-size: 18px; margin-top: 18px; }
.cl-card .cl-box { display: inline-block; margin-right: 14px; white-space: nowrap; }
.cl-card .cl-line { border-bottom: 1px solid #555; height: 30px; }
@media print {
  @page { size: A4 portrait; margin: 15mm; }
  .cl-card { border: none; margin: 0 auto; break-inside: avoid; }
  .cl-card + .cl-card { break-before: page; page-break-before: always; }
  .cl-screen-only { display: none; }
}
"""


def join_qr_png(link: str, scale: int = 10) -> bytes:
    """The join link as a QR code (PNG), big enough to scan from the back of a room."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def _tick_boxes(labels) -> str:
    return "".join(f'<span class="cl-box">&#9744; {html.escape(label)}</span>' for label in labels)


def printable_cards(workshop: Workshop, table: pd.DataFrame) -> str:
    """A self-contained HTML file: one plain-language card per printed page, with space to answer."""
    esc = html.escape
    pages = []
    for _, row in table.iterrows():
        pages.append(
            f'<section class="cl-card"><div class="cl-meta">{esc(row["domain_name"])} &middot; {esc(workshop.name)}</div>'
            f'<h2>{esc(row["title"])}</h2><p class="cl-question">{esc(row["question"])}</p>'
            f'<div class="cl-figure">{esc(row["display"])}</div>'
            f'<div class="cl-meta">{esc(YOUNG_PEOPLES_WORDS[row["voice"]])}</div>'
            f'<div class="cl-answer"><b>Does this matter to you?</b><br>{_tick_boxes(MATTERS.values())}</div>'
            f'<div class="cl-answer"><b>Is it fair and worded right?</b><br>{_tick_boxes(FAIR.values())}</div>'
            f'<div class="cl-answer"><b>Your words, or how you would say it</b>'
            f'<div class="cl-line"></div><div class="cl-line"></div></div>'
            f'<div class="cl-answer"><b>What is missing?</b><div class="cl-line"></div></div></section>')
    note = ('<p class="cl-screen-only">Print this page: each card comes out on its own sheet. Figures are '
            'rounded, small groups of young people are hidden, and no one\'s own record is shown.</p>')
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{esc(workshop.name)}: cards</title>'
            f'<style>{PRINT_STYLE}</style></head><body><div class="cl-cards">{note}{"".join(pages)}</div>'
            '</body></html>')

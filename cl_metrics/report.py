"""A report to take away: the Overview (or one domain) as one self-contained HTML page that prints on A4.

Built from the cards the page shows (cl_metrics.change.overview: protected figures, so a
workshop-mode report holds workshop-mode figures only), with each card's small trend as an SVG image
(vl-convert, offline), the comparators, the rules for suppression and for 'about the same', and where
and when it came from. Every piece of text is escaped: indicator titles and authority names are data.
An analyst-mode report is marked OFFICIAL-SENSITIVE at its top and its end.
"""
from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import vl_convert

from cl_metrics import change, charts, glossary
from cl_metrics.disclosure import Mode, rule_text
from cl_metrics.domains import Domain
from cl_metrics.export import MARKING

MODE_WORDS = {"workshop": "Safe to share: rounded figures, small numbers hidden",
              "analyst": f"Exact figures (analysts). {MARKING}"}
CSS = """
@page { size: A4; margin: 15mm 12mm; }
body { font-family: system-ui, sans-serif; font-size: 10.5pt; color: #111; max-width: 190mm; margin: 0 auto; }
h1 { font-size: 17pt; margin: 0 0 4pt; } h2 { font-size: 13pt; margin: 14pt 0 2pt; break-after: avoid; }
.about, .rules { font-size: 9pt; color: #333; } .marking { font-weight: bold; color: #8a0000; border: 2px solid;
  padding: 3pt 6pt; text-align: center; }
table { width: 100%; border-collapse: collapse; margin-top: 4pt; }
th, td { text-align: left; vertical-align: top; padding: 3pt 4pt; border-bottom: 1px solid #ccc; }
th { font-size: 8.5pt; color: #333; } td.figure { font-size: 12pt; font-weight: bold; white-space: nowrap; }
td.beside, td.change { font-size: 8.5pt; } tr { break-inside: avoid; } img { display: block; }
"""


@dataclass(frozen=True)
class About:
    """Where a report's figures come from, printed at its top."""
    title: str
    store: str
    source: str
    year: int
    mode: Mode
    threshold: int
    scope: str
    generated: datetime


def _svg(chart) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(vl_convert.vegalite_to_svg(chart.to_dict()).encode()).decode()


def _card_row(row: pd.Series, mode: Mode) -> str:
    e = html.escape
    trend = row["trend"]
    image = (f'<img src="{_svg(charts.sparkline(trend, row["trend_years"], row["title"]))}" '
             f'alt="{e(row["title"])}: small trend, {len(trend)} years" width="{charts.SPARK_WIDTH}" '
             f'height="{charts.SPARK_HEIGHT}">') if any(v is not None for v in trend) else "no figures to draw"
    exact = f'<td class="count">{e(row["count_of"])}</td>' if mode == "analyst" else ""
    return (f'<tr data-indicator="{e(row["indicator_id"])}"><td><strong>{e(row["title"])}</strong><br>'
            f'<span class="beside">{e(row["status_label"])} · {e(row["voice_label"])}</span></td>'
            f'<td class="figure">{e(row["display"])}</td>{exact}<td class="change">{e(row["change_text"])}</td>'
            f'<td>{image}</td><td class="beside">{e(row.get("comparators") or "")}</td></tr>')


def build(sections: list[tuple[Domain, pd.DataFrame]], about: About) -> str:
    """The report as HTML text: `sections` from change.overview (one domain's for a domain report)."""
    e = html.escape
    marking = f'<p class="marking">{e(MARKING)}</p>' if about.mode == "analyst" else ""
    hiding = rule_text(about.threshold) if about.mode == "workshop" else "Nothing is hidden in exact mode."
    head = ["Indicator", "Figure", *(["n of N (exact)"] if about.mode == "analyst" else []),
            "Change since last year", "Trend", "Published beside it (DfE)"]
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{e(about.title)}</title>"
             f"<style>{CSS}</style></head><body>{marking}<h1>{e(about.title)}</h1>",
             f'<p class="about">Year ending 31 March {about.year} · counting {e(about.scope)} · '
             f'{e(MODE_WORDS[about.mode])}<br>Store {e(about.store)}: {e(about.source)}<br>'
             f'Made {about.generated:%d %B %Y at %H:%M} UTC</p>',
             f'<p class="rules"><strong>Small numbers.</strong> {e(hiding)} '
             f'<strong>{e(glossary.terms()["suppressed"].term)}</strong>: {e(glossary.terms()["suppressed"].meaning)}'
             f'<br><strong>Change.</strong> {e(change.rule_text())}<br><strong>Trend.</strong> '
             f'{e(glossary.terms()["trend"].meaning)}</p>']
    for domain, table in sections:
        rows = "".join(_card_row(row, about.mode) for _, row in table.iterrows())
        parts.append(f'<section data-domain="{e(domain.id)}"><h2>{e(domain.name)}</h2>'
                     f'<p class="beside">{e(domain.status.capitalize())} domain: {e(domain.summary)}</p>'
                     f'<table><thead><tr>{"".join(f"<th>{e(h)}</th>" for h in head)}</tr></thead>'
                     f'<tbody>{rows}</tbody></table></section>')
    parts.append(f"{marking}</body></html>")
    return "".join(parts)

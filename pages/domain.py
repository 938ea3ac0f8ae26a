"""Domain view: one domain's indicators as cards, a trend and a breakdown, and young people's words.

The domain, indicator, dimension and themes live in the URL, so a link reopens the same view.
"""
import streamlit as st

from cl_metrics import change, charts, glossary, views, voice
from cl_metrics.domains import domains
from cl_metrics.indicators import compute
from pages.common import (
    card_grid,
    compare_picker,
    current,
    download,
    glossary_list,
    require_records,
    theme_button,
    plain,
    report_download,
    show_statements,
    status_badge,
)

# Short headings and widths (pixels) so a half-width table shows every column; the CSV keeps the long names.
COLUMNS = {"Figure": st.column_config.Column("Figure", width=70),
           "Young people counted": st.column_config.Column("Counted", width=75, help="Young people counted"),
           "Out of": st.column_config.Column("Out of", width=65, help="Young people the figure is out of"),
           "Hidden because": st.column_config.Column("Hidden", width=90, help=glossary.explain(
               "suppressed", "secondary_suppression"))}
ctx = current()
by_id = {d.id: d for d in domains()}
domain = by_id[st.selectbox("Domain", list(by_id), format_func=lambda i: by_id[i].name, key="domain",
                            bind="query-params")]
st.title(domain.name)
st.markdown(f"**{status_badge(domain.status)} domain**: {domain.summary}", help=glossary.explain(domain.status))
require_records(ctx)
cur = ctx.cursor()
shown, _ = views.on_show(cur, domain.id)
indicators = {ind.id: ind for ind in shown}
if not indicators:  # a domain just declared, before any indicator is
    st.info("This domain has no indicators yet. A manager can try one in the Indicator lab.")
    st.stop()


def show_chart(figures, summary: str, chart, reading: str, table, name: str, label: str) -> None:
    """A chart with its one-line summary first (what a screen reader reads), how to read it, its table
    (hidden counts blank, never 'None') and CSV; with nothing to draw, the summary says so and no
    empty chart is drawn."""
    st.markdown(summary)
    if figures["value"].isna().all():
        st.info("Nothing to draw: every figure here is hidden to protect small numbers, or has no data.")
    else:
        st.altair_chart(chart, width="stretch", theme=None)
        st.caption(reading)
    st.dataframe(table, hide_index=True, placeholder="–",
                 column_config={column: COLUMNS.get(column, st.column_config.Column(width=120))
                                for column in table.columns})
    download(table, name, label)


st.header(f"Indicators, year ending 31 March {ctx.year}")
compare = compare_picker(ctx)
section = [(d, table) for d, table in change.overview(cur, ctx.year, ctx.mode, ctx.threshold, compare)
           if d.id == domain.id]
figures = section[0][1]
card_grid(figures)
report_download(ctx, section, domain.name, change.scope_text({}), f"{domain.id}_{ctx.year}_report")
download(views.figure_table(figures, {"title": "Indicator", "question": "Question", "status_label": "Status",
                                      "voice_label": "Whose voice", "comparators": "Published beside it"}, ctx.mode),
         f"{domain.id}_{ctx.year}_indicators", "Download these figures (CSV)")

st.header("Over time, and between groups")
pick, split = st.columns(2)
indicator = indicators[pick.selectbox("Indicator", list(indicators), format_func=lambda i: indicators[i].title,
                                      key="indicator", bind="query-params")]
dimension = split.selectbox("Break down by", list(compute.DIMENSIONS), index=list(compute.DIMENSIONS).index("sex"),
                            format_func=lambda d: compute.DIMENSIONS[d][1], key="dimension", bind="query-params",
                            help=glossary.explain("uasc", "personal_adviser"))
dimension_label = compute.DIMENSIONS[dimension][1]
trend = compute.trend(cur, [indicator], mode=ctx.mode, threshold=ctx.threshold)
published = views.published_trend(indicator, list(trend["collection_year"]), ctx.summary.authority)
groups = compute.breakdown(cur, [indicator], dimension, ctx.year, mode=ctx.mode, threshold=ctx.threshold)
left, right = st.columns(2)
with left:
    show_chart(trend, charts.trend_summary(trend, indicator.title, published),
               charts.trend_chart(trend, indicator.title, indicator.unit, comparators=published,
                                  own_label=views.own_label(ctx.summary)), charts.TREND_READING,
               views.figure_table(trend, {"collection_year": "Year ending 31 March"}, ctx.mode),
               f"{indicator.id}_trend", "Download the figures by year (CSV)")
with right:
    show_chart(groups, charts.breakdown_summary(groups, indicator.title, dimension_label),
               charts.breakdown_chart(groups, indicator.title, indicator.unit, dimension_label),
               charts.BREAKDOWN_READING, views.figure_table(groups, {"group": dimension_label}, ctx.mode),
               f"{indicator.id}_{ctx.year}_by_{dimension}",
               f"Download the figures by {dimension_label.lower()} (CSV)")

if indicator.published:
    with st.expander(f"Every published figure beside {plain(indicator.title)} ({ctx.year})"):
        st.caption("DfE's figures as published: England, the region, each statistical neighbour (closest first) "
                   "and the authority you chose. A suppressed figure is shown as suppressed, never as 0.")
        beside = views.neighbour_table(indicator.id, ctx.year, ctx.summary.authority, compare)
        st.dataframe(beside, hide_index=True, key="published_beside")
        download(beside, f"{indicator.id}_{ctx.year}_published", "Download every published figure (CSV)")

st.header("In young people's words")
st.caption("Statements young people agreed to share anonymously, a fixed sample; choose themes to narrow them.")
chosen = st.pills("Themes", voice.themes(cur, [domain.id]), selection_mode="multi", format_func=theme_button,
                  key="themes", bind="query-params")
words = voice.statements(cur, [domain.id], chosen)
show_statements(words)
download(words, f"{domain.id}_young_peoples_words", "Download these words (CSV)")
glossary_list()

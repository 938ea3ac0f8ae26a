"""Domain view: one domain's indicators as cards, a trend and a breakdown, and young people's words.

The domain, indicator, dimension and themes live in the URL, so a link reopens the same view.
"""
import streamlit as st

from cl_metrics import charts, views, voice
from cl_metrics.domains import domains
from cl_metrics.indicators import compute
from pages.common import (
    card_grid,
    compare_picker,
    current,
    download,
    require_records,
    theme_button,
    plain,
    show_statements,
    status_badge,
)

ctx = current()
by_id = {d.id: d for d in domains()}
domain = by_id[st.selectbox("Domain", list(by_id), format_func=lambda i: by_id[i].name, key="domain",
                            bind="query-params")]
st.title(domain.name)
st.markdown(f"**{status_badge(domain.status)} domain**: {domain.summary}")
require_records(ctx)
cur = ctx.cursor()
shown, _ = views.on_show(cur, domain.id)
indicators = {ind.id: ind for ind in shown}
if not indicators:  # a domain just declared, before any indicator is
    st.info("This domain has no indicators yet. A manager can try one in the Indicator lab.")
    st.stop()


def show_chart(summary: str, chart, table, name: str) -> None:
    """A chart with its one-line summary first (what a screen reader reads), its table and CSV."""
    st.markdown(summary)
    st.altair_chart(chart, width="stretch", theme=None)
    st.dataframe(table, hide_index=True)
    download(table, name)


st.header(f"Indicators, year ending 31 March {ctx.year}")
compare = compare_picker(ctx)
figures = views.shown_figures(cur, ctx.year, ctx.mode, ctx.threshold, domain.id, compare)
card_grid(figures)
download(views.figure_table(figures, {"title": "Indicator", "question": "Question", "status_label": "Status",
                                      "voice_label": "Whose voice", "comparators": "Published beside it"}, ctx.mode),
         f"{domain.id}_{ctx.year}_indicators", "Download these figures (CSV)")

st.header("Over time, and between groups")
pick, split = st.columns(2)
indicator = indicators[pick.selectbox("Indicator", list(indicators), format_func=lambda i: indicators[i].title,
                                      key="indicator", bind="query-params")]
dimension = split.selectbox("Break down by", list(compute.DIMENSIONS), index=list(compute.DIMENSIONS).index("sex"),
                            format_func=lambda d: compute.DIMENSIONS[d][1], key="dimension", bind="query-params")
dimension_label = compute.DIMENSIONS[dimension][1]
trend = compute.trend(cur, [indicator], mode=ctx.mode, threshold=ctx.threshold)
published = views.published_trend(indicator, list(trend["collection_year"]), ctx.summary.authority)
groups = compute.breakdown(cur, [indicator], dimension, ctx.year, mode=ctx.mode, threshold=ctx.threshold)
left, right = st.columns(2)
with left:
    show_chart(charts.trend_summary(trend, indicator.title, published),
               charts.trend_chart(trend, indicator.title, indicator.unit, comparators=published,
                                  own_label=views.own_label(ctx.summary)),
               views.figure_table(trend, {"collection_year": "Year ending 31 March"}, ctx.mode),
               f"{indicator.id}_trend")
with right:
    show_chart(charts.breakdown_summary(groups, indicator.title, dimension_label),
               charts.breakdown_chart(groups, indicator.title, indicator.unit, dimension_label),
               views.figure_table(groups, {"group": dimension_label}, ctx.mode),
               f"{indicator.id}_{ctx.year}_by_{dimension}")

if indicator.published:
    with st.expander(f"Every published figure beside {plain(indicator.title)} ({ctx.year})"):
        st.caption("DfE's figures as published: England, the region, each statistical neighbour (closest first) "
                   "and the authority you chose. A suppressed figure is shown as suppressed, never as 0.")
        beside = views.neighbour_table(indicator.id, ctx.year, ctx.summary.authority, compare)
        st.dataframe(beside, hide_index=True, key="published_beside")
        download(beside, f"{indicator.id}_{ctx.year}_published")

st.header("In young people's words")
st.caption("Statements young people agreed to share anonymously, a fixed sample; choose themes to narrow them.")
chosen = st.pills("Themes", voice.themes(cur, [domain.id]), selection_mode="multi", format_func=theme_button,
                  key="themes", bind="query-params")
words = voice.statements(cur, [domain.id], chosen)
show_statements(words)
download(words, f"{domain.id}_young_peoples_words")

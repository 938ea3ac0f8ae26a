"""Voice: what young people say beside what workers record, how often the two agree, and their words."""
import streamlit as st

from cl_metrics import charts, voice
from cl_metrics.domains import domains
from pages.common import current, download, require_records, show_statements, theme_button

HEADLINE_SHARES = ("records_yes", "says_no_when_records_yes", "agree")

ctx = current()
st.title("What young people say, beside what is recorded")
st.caption("Each pairing sets a young person's own answer beside a record about the same thing, for the people "
           "who have both. Small numbers are hidden, and any figure that would give them away.")
require_records(ctx)
cur = ctx.cursor()
pooled = st.toggle(f"All years up to {ctx.year} together", key="pool_years", bind="query-params",
                   help="Counts each young person once, at their latest year with both an answer and a record. "
                        "One year of a small authority is often too few young people to show anything.")
results = voice.agreements(cur, ctx.year, ctx.mode, ctx.threshold, pooled)
new_domains = [d for d in domains() if d.status == "prototype"]


def show_pairing(result: voice.Agreement) -> None:
    """One pairing: its summary line, chart, the 2x2 table, the agreement share and a CSV."""
    pairing = result.pairing
    st.markdown(charts.agreement_summary(result.shares, result.people))
    st.altair_chart(charts.agreement_chart(result.cells, pairing.title), width="stretch", theme=None)
    st.caption(charts.AGREEMENT_READING)
    table_column, side = st.columns([3, 1])
    with table_column:
        st.markdown(f"**Young person:** “{pairing.says.label}”  \n**Record:** {pairing.records.label}")
        st.table(result.table())
    with side:
        agree = result.share("agree")
        st.metric(agree["label"], agree["display"], help=f"Of {result.people} young people with both.")
        download(result.download_table(), f"voice_{pairing.id}_{'up_to_' if result.pooled else ''}{ctx.year}")


def headline_tile(share) -> None:
    """A headline figure with its full label in words (metric labels would be cut short)."""
    with st.container(border=True):
        st.markdown(share["label"])
        st.metric(share["label"], share["display"], label_visibility="collapsed")


for result in results:
    if result.pairing.headline:
        st.header(f"The headline: {result.pairing.title.lower()}")
        st.markdown(result.pairing.why)
        for column, name in zip(st.columns(len(HEADLINE_SHARES)), HEADLINE_SHARES):
            with column:
                headline_tile(result.share(name))
        if result.shares["suppressed"].all() and not pooled:
            st.info("Too few young people this year to show these without giving small numbers away: "
                    "try all years together.")

for domain in new_domains:
    st.header(domain.name)
    for result in results:
        if result.pairing.domain == domain.id:
            st.subheader(result.pairing.title)
            st.caption(result.pairing.why)
            show_pairing(result)

st.header("In young people's words")
st.caption("Statements young people agreed to share anonymously about the four new domains; choose themes.")
domain_ids = [d.id for d in new_domains]
chosen = st.pills("Themes", voice.themes(cur, domain_ids), selection_mode="multi", format_func=theme_button,
                  key="voice_themes", bind="query-params")
words = voice.statements(cur, domain_ids, chosen, limit=24)
show_statements(words)
download(words, "young_peoples_words_new_domains")

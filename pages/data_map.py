"""Data map: per domain, each item of information, where it lives, whether this store holds it, how complete."""
import streamlit as st

from cl_metrics import datamap
from pages.common import current, download, require_records

COLUMNS = {
    "domain_name": "Domain", "item": "Item of information", "case_record": "Case record",
    "local_dashboard": "Local dashboard", "national_return": "National return (SSDA903)",
    "voice_label": "Whose voice", "held_in_store": "Held in this store", "held": "Store field",
    "completeness_display": "Filled in", "measured_over": "Measured over", "known_from": "Known from",
}
ALL = "all"

ctx = current()
st.title("Data map")
st.caption("Each item of information the research knows about, per domain: where it lives (case record, "
           "local dashboard, national return), whose voice it is, whether this store holds it, and how "
           "complete it is. A blank cell means the item does not live there. Case-record and dashboard "
           "names are a starting point for the authority's analyst to correct.")
require_records(ctx)

table = datamap.data_map(ctx.cursor(), ctx.year, ctx.mode, ctx.threshold)
coverage = datamap.coverage(table)
summary = datamap.coverage_summary(coverage)

chart_column, summary_column = st.columns([3, 2])
with chart_column:
    st.altair_chart(datamap.coverage_chart(coverage), width="stretch", alt=summary)
with summary_column:
    st.markdown(summary)
    st.dataframe(coverage[["domain_name", "held_of_known"]], hide_index=True,
                 column_config={"domain_name": "Domain", "held_of_known": "Items held of known"})
    download(coverage, "data_map_coverage", "Download the summary (CSV)")

st.subheader(f"Items of information, year ending 31 March {ctx.year}")
names = datamap.group_names()
filter_column, held_column = st.columns([2, 1])
chosen = filter_column.selectbox("Domain", [ALL, *names], key="map_domain", bind="query-params",
                                 format_func=lambda d: "All domains" if d == ALL else names[d])
gaps_only = held_column.toggle("Only items this store does not hold", key="map_gaps", bind="query-params")
shown = table if chosen == ALL else table[table["domain"] == chosen]
if gaps_only:
    shown = shown[shown["held_in_store"] == "no"]
st.dataframe(shown[list(COLUMNS)], hide_index=True, column_config=COLUMNS)
download(table, "data_map", "Download the whole data map (CSV)")

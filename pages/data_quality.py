"""Data quality: how complete each table is, and records that fail consistency checks."""
import streamlit as st

from cl_metrics import quality
from cl_metrics.disclosure import rule_text
from cl_metrics.spec import spec
from pages.common import current, download, require_records

ctx = current()
st.title("Data quality")
st.caption(rule_text(ctx.threshold) if ctx.mode == "workshop" else "Analyst mode: every count is exact.")
require_records(ctx)
con = ctx.cursor()

st.subheader("Flags by rule")
st.markdown("Every rule a value or a record is checked against, as the importer flags them: DfE's rules for "
            "the file's own collection year, and ones our local tables add. Flagged values are stored as given "
            "(or as unknown where they cannot be read), so nothing is lost; each row counts the flags per "
            "collection year.")
counts = quality.check_counts(con, ctx.mode, ctx.threshold)
st.dataframe(quality.check_grid(counts), hide_index=True)
download(counts, "quality_check_counts", "Download the counts (CSV)")
with st.expander("What each rule means"):
    st.dataframe(quality.rule_wording(), hide_index=True)
if ctx.mode == "analyst":
    records = quality.failing_records(con, ctx.actor)
    ctx.log("viewed records", "flagged records", once=True)
    st.markdown(f"**Flagged records** ({len(records):,}): one row per flag, to correct at source.")
    st.dataframe(records, hide_index=True)
    download(records, "quality_failing_records", "Download the failing records (CSV)")
else:
    st.info("Workshop mode hides the list of flagged records, because it names young people. "
            "Switch to analyst mode to see and download it.")

st.subheader("Completeness: % of rows with each field filled in")
tables = spec().tables
chosen = st.selectbox("Table", list(tables), key="quality_table", bind="query-params",
                      format_func=lambda name: f"{tables[name].title} ({name})")
filled = quality.completeness(con, [chosen], ctx.mode, ctx.threshold)
grid = quality.completeness_grid(filled)
st.dataframe(grid, hide_index=True, column_order=[c for c in grid if c != "table"])
download(filled, f"completeness_{chosen}", "Download completeness (CSV)")

"""Overview: the declared domains side by side, established beside prototype."""
import streamlit as st

from cl_metrics import views
from pages.common import compare_picker, current, figure_card, plain, require_records, status_badge

ctx = current()
st.title("Care leaver information: the eight domains")
st.caption(f"Collection year ending 31 March {ctx.year}. Four established domains, reported nationally, "
           "beside four prototype domains that the research found largely absent. "
           f"{plain(views.source_label(ctx.summary))}.")
require_records(ctx)
compare = compare_picker(ctx)
st.caption("Beside each published figure: DfE's figures for England, the region and the statistical neighbours "
           "(their mean and range) for the same year, and where this figure would rank among all authorities.")

sections = views.overview(ctx.cursor(), ctx.year, ctx.mode, ctx.threshold, compare)
for start in range(0, len(sections), 4):  # rows of four, however many domains are declared
    columns = st.columns(4)
    for column, (domain, table) in zip(columns, sections[start:start + 4]):
        with column:
            st.subheader(domain.name)
            st.markdown(f"**{status_badge(domain.status)}** domain  \n{domain.summary}")
            for _, row in table.iterrows():
                figure_card(row)

"""Overview: the declared domains side by side, established beside prototype, each figure with its change
since last year; for everyone, or one age band or adviser team (the URL keeps the choice)."""
import streamlit as st

from cl_metrics import change, glossary, views
from cl_metrics.domains import domains, in_words
from cl_metrics.indicators import compute
from pages.common import (compare_picker, current, figure_card, glossary_list, plain, report_download, require_records,
                          status_badge)

TITLE = f"Care leaver information: the {in_words(len(domains()))} domains"
ctx = current()
st.title(TITLE)
established = [d for d in domains() if d.status == "established"]
st.caption(f"Collection year ending 31 March {ctx.year}. {in_words(len(established)).capitalize()} established "
           f"domains, reported nationally, beside {in_words(len(domains()) - len(established))} prototype domains "
           "that the research found largely absent. "
           f"{plain(views.source_label(ctx.summary))}.", help=glossary.explain("collection_year", "ssda903"))
require_records(ctx)
cur = ctx.cursor()
options = change.filter_options(cur)
filters = {}
for column, dimension in zip(st.columns(len(change.FILTERS)), change.FILTERS):
    label = compute.DIMENSIONS[dimension][1]
    filters[dimension] = column.selectbox(label, [None, *options[dimension]], key=dimension, bind="query-params",
                                          format_func=lambda v, label=label: f"Every {label.lower()}" if v is None
                                          else v, help=glossary.explain("personal_adviser")
                                          if dimension == "adviser_team" else None)
st.caption(f"Counting {plain(change.scope_text(filters))}. {change.rule_text()}", help=glossary.explain("change"))
compare = compare_picker(ctx)
st.caption("Beside each published figure: DfE's figures for England, the region and the statistical neighbours "
           "(their mean and range) for the same year, and where this figure would rank among all authorities. "
           "They count all care leavers of that age, whatever the filters, so a filtered figure is not ranked.",
           help=glossary.explain("comparator", "statistical_neighbours", "quartile"))

sections = change.overview(cur, ctx.year, ctx.mode, ctx.threshold, compare, filters)
report_download(ctx, sections, TITLE, change.scope_text(filters),
                f"overview_{ctx.year}_report")
for start in range(0, len(sections), 4):
    for column, (domain, table) in zip(st.columns(4), sections[start:start + 4]):
        with column:
            st.subheader(domain.name, anchor=domain.id)
            st.page_link("pages/domain.py", label="Open this domain",
                         query_params={"domain": domain.name}, icon=":material/arrow_forward:")
            st.markdown(f"**{status_badge(domain.status)}** domain  \n{domain.summary}",
                        help=glossary.explain(domain.status))
            for _, row in table.iterrows():
                figure_card(row)

glossary_list()

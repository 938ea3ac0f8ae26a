"""Care leaver information dashboard: `streamlit run app.py [-- --db PATH]`.

Every run: open the store, find who is asking (cl_metrics.access decides what they may do), then
show the pages they may open. A join link shows a participant's phone view and nothing else.
"""
import streamlit as st

from pages import common

st.set_page_config(page_title="Care leaver information dashboard", layout="wide")
context, page = common.start()
st.set_page_config(page_title=f"{page.title} · Care leaver information")  # each page its own browser tab
st.session_state["_context"] = context
if context.view == "staff":
    common.banners(context)
page.run()

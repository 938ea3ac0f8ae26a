"""Care leaver information dashboard: `streamlit run app.py [-- --db PATH]`."""
import streamlit as st

from pages import common

st.set_page_config(page_title="Care leaver information dashboard", layout="wide")
st.session_state["_context"] = common.context()
navigation = st.navigation([
    st.Page("pages/overview.py", title="Overview", url_path="overview", default=True),
])
navigation.run()

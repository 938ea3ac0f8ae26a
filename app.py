"""Care leaver information dashboard: `streamlit run app.py [-- --db PATH]`."""
import streamlit as st

from pages import common

st.set_page_config(page_title="Care leaver information dashboard", layout="wide")
st.session_state["_context"] = common.context()
# Each url_path is its file's stem: a deep link opened first in a fresh server is looked up as a
# file in pages/ before st.navigation runs (see pages.common.current), and must be found there.
navigation = st.navigation({
    "Look": [
        st.Page("pages/overview.py", title="Overview", default=True),
        st.Page("pages/domain.py", title="Domains", url_path="domain"),
        st.Page("pages/voice.py", title="Voice", url_path="voice"),
    ],
    "Shape": [
        st.Page("pages/lab.py", title="Indicator lab", url_path="lab"),
        st.Page("pages/workshop.py", title="Workshop", url_path="workshop"),
    ],
    "Data": [
        st.Page("pages/data_map.py", title="Data map", url_path="data_map"),
        st.Page("pages/data_quality.py", title="Data quality", url_path="data_quality"),
        st.Page("pages/data.py", title="Data", url_path="data"),
    ],
})
navigation.run()

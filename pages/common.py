"""What every page shares: the open store, the sidebar (store, mode), and figure cards."""
from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from cl_metrics import session, store
from cl_metrics.disclosure import DEFAULT_THRESHOLD, count_text
from synthetic.generate import DEFAULT_PEOPLE, DEFAULT_SEED, write_store

MODES = ["workshop", "analyst"]
MODE_LABELS = {"workshop": "Workshop", "analyst": "Analyst"}  # the words a link carries: ?mode=Workshop
MODE_CAPTIONS = ["Safe to share: rounded figures, small numbers hidden, no records", "Full detail for the data team"]


@dataclass(frozen=True)
class Context:
    """What a page needs: the store, its summary, the year, the mode and the threshold."""
    opened: session.OpenStore
    summary: store.StoreSummary
    year: int | None
    mode: str
    threshold: int

    def cursor(self):
        return self.opened.cursor()


@st.cache_resource(show_spinner=False)
def open_store(path: str) -> session.OpenStore:
    """The process-wide store, opened once (built from synthetic data if it is the missing default)."""
    if path == str(store.DEFAULT_STORE.resolve()) and not store.DEFAULT_STORE.exists():
        with st.status("First start: building the synthetic demonstration store", expanded=True) as status:
            bar = st.progress(0.0, text="Starting")
            write_store(path, people=DEFAULT_PEOPLE, seed=DEFAULT_SEED,
                        progress=lambda fraction, label: bar.progress(min(fraction, 1.0), text=label.capitalize()))
            status.update(label="Synthetic store ready", state="complete", expanded=False)
    return session.open_store(path)


def context() -> Context:
    """Open the store and draw the shared sidebar; call once per run, from app.py."""
    path = str(session.store_path_from(sys.argv[1:]))
    try:
        opened = open_store(path)
    except store.StoreError as exc:
        st.error(str(exc))
        st.stop()
    summary = opened.summary()
    with st.sidebar:
        real = summary.source == "real"
        about = st.empty()  # filled once the mode is known: the count of young people is protected too
        year = st.selectbox("Collection year (ending 31 March)", summary.years[::-1], key="year",
                            bind="query-params") if summary.years else None
        mode = st.radio("Mode", MODES, index=0 if real else 1, format_func=MODE_LABELS.get, key="mode",
                        captions=MODE_CAPTIONS,
                        bind="query-params",
                        help="Workshop mode shows only rounded, suppressed figures and never a single "
                             "young person's record. A store of real data opens in workshop mode.")
        threshold = DEFAULT_THRESHOLD
        if mode == "analyst":
            threshold = st.number_input("Hide counts below", min_value=DEFAULT_THRESHOLD, max_value=50,
                                        value=DEFAULT_THRESHOLD, key="threshold")
        st.caption(f"Counts below {threshold} are hidden everywhere.")
    about.markdown(f"**Store:** `{opened.path.name}`  \n"
                   + ("**Real data** (pseudonymised)" if real else f"**Synthetic data** (seed {summary.seed})")
                   + f"  \n{count_text(summary.young_people, int(threshold), mode)} young people")
    return Context(opened, summary, year, mode, int(threshold))


def current() -> Context:
    """The context app.py opened for this run.

    A deep link (a workshop join link, say) opened first in a fresh server runs the page file
    without app.py: Streamlit still takes a folder named pages/ for an old-style multipage app
    until st.navigation has run once in the process. Then switch that off and run again, so
    app.py runs and routes the same URL.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
    return st.session_state["_context"]


def require_records(ctx: Context) -> None:
    """Stop a page that shows figures when the store holds no year of records yet."""
    if ctx.year is None:
        st.info("This store holds no records yet. Import files on the Data page, or build a synthetic store.")
        st.stop()


def plain(text: str) -> str:
    """Text as the words typed (lab titles, questions): markdown and HTML characters escaped."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$])", r"\\\1", str(text))


def status_badge(status: str) -> str:
    """Status in words and a shape, never colour alone."""
    return {"established": "■ Established", "prototype": "◆ Prototype",
            "candidate": "○ Candidate"}.get(status, status)


def figure_card(row: pd.Series) -> None:
    """One indicator: its plain question, figure, national comparison, whose voice and status."""
    with st.container(border=True):
        st.markdown(f"**{plain(row['title'])}**  \n{plain(row['question'])}")
        st.metric(row["title"], row["display"], label_visibility="collapsed")
        details = [status_badge(row["status"]), row["voice_label"]]
        if row.get("national"):
            details.append(row["national"])
        st.caption(" · ".join(details))


def download(frame: pd.DataFrame, name: str, label: str = "Download CSV") -> None:
    st.download_button(label, frame.to_csv(index=False).encode(), file_name=f"{name}.csv",
                       mime="text/csv", key=f"download_{name}")


def grid(frame: pd.DataFrame, per_row: int) -> Iterator[tuple]:
    """(column, row) for each row of `frame`, laid out `per_row` to a line, read left to right."""
    for start in range(0, len(frame), per_row):
        yield from zip(st.columns(per_row), (row for _, row in frame.iloc[start:start + per_row].iterrows()))


def card_grid(figures: pd.DataFrame) -> None:
    """Indicator cards in rows of four."""
    for column, row in grid(figures, 4):
        with column:
            figure_card(row)


def show_statements(words: pd.DataFrame, columns: int = 3) -> None:
    """Young people's own words as quotes, with their domain and theme (never who or when)."""
    if words.empty:
        st.info("No young person has shared words on this yet (or none consented to sharing them).")
        return
    for column, row in grid(words, columns):
        with column.container(border=True):
            st.markdown(f"“{plain(row['text'])}”")
            st.caption(f"{row['domain']} · {row['theme']}")

"""Workshop, the facilitator's page: create or pick a workshop, watch the room's answers, decide, print.

Care leavers join on their phones with `<app>/workshop?code=K7QPX`, which app.py routes to the
participant's view (pages/join.py). Widget keys all start with ws_ (forms ws_create, ws_decide),
stable for the browser tests.
"""
from urllib.parse import urlencode

import streamlit as st

from cl_metrics import workshop as ws
from pages.common import current, download, plain, status_badge

ctx = current()
state = st.session_state


def show_message() -> None:
    """A callback's outcome, shown once on the run after it (and as a toast: a phone may be scrolled down)."""
    if "ws_message" in state:
        kind, text = state.pop("ws_message")
        getattr(st, kind)(text)
        if kind == "success":
            st.toast(text)


def create(choices: dict) -> None:
    """Form callback: a new workshop, selected for the facilitator straight away."""
    try:
        made = ws.create_workshop(ctx.opened, ctx.actor, state.ws_name, [choices[i] for i in state.ws_cards], ctx.threshold)
        state.ws_running = made.id
        state.ws_message = ("success", f"Workshop '{made.name}' is ready: join code {made.join_code}.")
    except ws.WorkshopError as exc:
        state.ws_message = ("error", str(exc))


@st.fragment(run_every="3s")
def live_results(session: ws.Workshop, titles: dict[str, str]) -> None:
    """The room's answers, refreshed every few seconds; comments never beside a participant."""
    found = ws.results(ctx.cursor(), ctx.actor, session, titles, ctx.mode)
    st.metric("People who have answered", found.participants_display)
    st.caption(ws.results_summary(found.summary))
    if not found.distribution.empty:
        left, right = st.columns(2)
        left.altair_chart(ws.answers_chart(found.distribution, "matters"))
        right.altair_chart(ws.answers_chart(found.distribution, "fair"))
    st.dataframe(found.summary.drop(columns="indicator_id"), hide_index=True, key="ws_results_table")
    download(found.summary, f"workshop_{session.join_code}_results", "Download results (CSV)")
    st.subheader("Their words")
    st.dataframe(found.comments, hide_index=True, key="ws_comments_table")
    download(found.comments, f"workshop_{session.join_code}_comments", "Download comments (CSV)")


def decide(session: ws.Workshop, table) -> None:
    with st.form("ws_decide"):
        row = st.selectbox("Card", list(table.index), format_func=table["title"].get, key="ws_decision_card")
        decision = st.radio("Decision", list(ws.DECISIONS), format_func=ws.DECISIONS.get, key="ws_decision")
        note = st.text_input("Note (optional)", max_chars=ws.TEXT_LIMIT, key="ws_decision_note")
        if st.form_submit_button("Record decision"):
            try:
                ws.record_decision(ctx.opened, ctx.actor, session, table.at[row, "indicator"], decision, note)
                st.success(f"Recorded: {ws.DECISIONS[decision]}, '{plain(table.at[row, 'title'])}'.")
            except ws.WorkshopError as exc:
                st.error(plain(exc))
    st.dataframe(ws.decision_table(ctx.cursor(), session.id), hide_index=True, key="ws_decisions_table")


def facilitator() -> None:
    st.title("Workshop")
    st.caption("Care leavers answer one card at a time on their phones; you see the room's answers as they come.")
    show_message()
    choices = {ind.id: ind for ind in ws.discussable(ctx.cursor())}
    running = ws.workshops(ctx.cursor())
    with st.expander("Start a workshop", expanded=not running), st.form("ws_create"):
        st.text_input("Workshop name", max_chars=ws.NAME_LIMIT, key="ws_name")
        st.multiselect("Cards to discuss (in this order)", list(choices), key="ws_cards",
                       format_func=lambda i: f"{choices[i].title} ({status_badge(choices[i].status)})")
        st.form_submit_button("Create workshop", type="primary", on_click=create, args=(choices,))
    if not running:
        st.stop()
    by_id = {w.id: w for w in running}
    session = by_id[st.selectbox("Workshop", list(by_id), format_func=lambda i: by_id[i].label(), key="ws_running")]
    link = f"{st.context.url or '/workshop'}?{urlencode({'code': session.join_code})}"
    st.markdown(f"## Join code: `{session.join_code}`")
    st.code(link, language=None)
    st.caption(session.hiding())
    table = ws.cards(ctx.cursor(), session, ctx.year)
    live_results(session, dict(zip(table["indicator_id"], table["title"])))
    st.subheader("Decisions")
    decide(session, table)
    st.subheader("Printable cards, for rooms without phones")
    cards_html = ws.printable_cards(session, table)
    st.download_button("Download printable cards (HTML)", cards_html, f"workshop_{session.join_code}_cards.html",
                       mime="text/html", key="ws_print")
    with st.expander("Preview the printable cards"):
        st.html(cards_html)
    st.button("End this workshop", key="ws_close", on_click=ws.close_workshop, args=(ctx.opened, ctx.actor, session.id))


try:  # e.g. none of a workshop's indicators exist any more: say so, never a traceback
    facilitator()
except ws.WorkshopError as exc:
    st.error(plain(exc))

"""A participant's phone view: a join code, then one card at a time, and nothing else of the app.

Opened by a join link (`/workshop?code=K7QPX`, the form printed cards and shared links carry) or a
typed code. No sidebar, menu or mode switch: app.py gives this view a navigation of its own page only.
Cards show workshop-mode figures at the workshop's threshold, whoever holds the phone.
Widget keys start with ws_ (form ws_vote), stable for the browser tests.
"""
import streamlit as st

from cl_metrics import workshop as ws
from pages.common import SIGN_IN_PAGE, current, figure_card, plain

ctx = current()
state = st.session_state


def show_message() -> None:
    """A callback's outcome, shown once on the run after it (and as a toast: a phone may be scrolled down)."""
    if "ws_message" in state:
        kind, text = state.pop("ws_message")
        getattr(st, kind)(text)
        if kind == "success":
            st.toast(text)


def send_answer(session: ws.Workshop, card_ids: list[str]) -> None:
    """Form callback: save this card's answer, say so, and move on to the next card."""
    try:
        ws.submit(ctx.opened, session.id, state.ws_participant, card_ids[state.ws_card],
                  state.ws_matters, state.ws_fair, state.ws_comment, state.ws_missing)
        state.ws_message = ("success", "Thank you, your answer is saved.")
        state.ws_card = min(state.ws_card + 1, len(card_ids) - 1)
    except ws.WorkshopError as exc:
        state.ws_message = ("error", str(exc))


def cards(session: ws.Workshop) -> None:
    table = ws.cards(ctx.cursor(), session, ctx.year)
    state.setdefault("ws_participant", ws.new_participant())
    state.ws_card = min(state.get("ws_card", 0), len(table) - 1)
    st.title(plain(session.name))
    show_message()
    st.caption(f"Card {state.ws_card + 1} of {len(table)}. No names: your answers are anonymous.")
    figure_card(table.iloc[state.ws_card])
    with st.form("ws_vote", clear_on_submit=True, border=False):
        st.radio("Does this matter to you?", list(ws.MATTERS), index=None, key="ws_matters",
                 format_func=lambda level: f"{level} · {ws.MATTERS[level]}")
        st.radio("Is it fair and worded right?", list(ws.FAIR), index=None, format_func=ws.FAIR.get, key="ws_fair")
        st.text_area("Your words: a comment, or how you would say it", max_chars=ws.TEXT_LIMIT, key="ws_comment")
        st.text_area("What's missing? Something that matters to you that no card asks",
                     max_chars=ws.TEXT_LIMIT, key="ws_missing", height=80)
        st.form_submit_button("Send my answer", type="primary", width="stretch", on_click=send_answer,
                              args=(session, list(table["indicator_id"])))
    back, forward = st.columns(2)
    back.button("◀ Previous card", key="ws_previous", on_click=state.update,
                kwargs={"ws_card": max(state.ws_card - 1, 0)}, width="stretch")
    forward.button("Next card ▶", key="ws_next", on_click=state.update,
                   kwargs={"ws_card": min(state.ws_card + 1, len(table) - 1)}, width="stretch")


def code_box(code: str | None, ended: bool) -> None:
    """Only the code box, and why the code did not open a workshop."""
    st.title("Join a workshop")
    if ended:
        st.info("This workshop has ended. Thank you for taking part.")
    elif code:
        st.warning("That code does not open a workshop. Check it with the facilitator.")
    typed = st.text_input("Type the join code from the screen, then press Enter", key="ws_join_code", max_chars=10)
    if typed:
        st.query_params["code"] = ws.normalise_code(typed)
        del state["ws_join_code"]
        st.rerun()
    if not code and ctx.setup.configured:
        st.page_link(SIGN_IN_PAGE[0], label="Staff sign-in", icon=":material/login:")


code = st.query_params.get("code")
joined = ws.find(ctx.cursor(), code) if code else None
try:  # e.g. none of a workshop's indicators exist any more: say so, never a traceback
    if joined and not joined.closed:
        cards(joined)
    else:
        code_box(code, ended=bool(joined and joined.closed))
except ws.WorkshopError as exc:
    st.error(plain(exc))

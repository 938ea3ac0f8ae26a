"""A participant's phone view: a join code, then one card at a time, a finished screen, and nothing
else of the app.

Opened by a join link (`/workshop?code=K7QPX`, the form printed cards and shared links carry) or a
typed code. No sidebar, menu or mode switch: app.py gives this view a navigation of its own only.
The phone keeps an anonymous token in a cookie, so a reload or a closed tab comes back to the same
person: it resumes at its next card and can see and change what it sent. Cards show workshop-mode
figures at the workshop's threshold, whoever holds the phone. Widget keys start with ws_.
"""
import streamlit as st

from cl_metrics import workshop as ws
from cl_metrics.views import YOUNG_PEOPLES_WORDS
from pages.common import SIGN_IN_PAGE, current, plain, set_cookie

ctx = current()
state = st.session_state
TOKEN_DAYS = 30
# Sized for one thumb on a 390 x 844 phone: 16 px text, 44 px targets, a card and its send button on one screen.
PHONE_STYLE = """<style>
[data-testid="stMainBlockContainer"] { padding: 0.75rem 1rem 2rem; }
[data-testid="stMain"] p, [data-testid="stMain"] label, [data-testid="stMain"] textarea,
[data-testid="stMain"] input { font-size: 16px !important; }
[data-testid="stMain"] h1 { font-size: 1.5rem; padding: 0.25rem 0; }
[data-testid="stMain"] button, [data-testid="stMain"] summary { min-height: 44px; }
[data-testid="stMain"] summary { display: flex; align-items: center; }
[data-testid="stMain"] [data-testid="stButtonGroup"] button { min-width: 44px; padding: 0 14px; }
[data-testid="stMain"] [data-testid="stMetricValue"], [data-testid="stMain"] [data-testid="stMetricValue"] * {
  font-size: 2.5rem !important; line-height: 1.15; }
[data-testid="stMain"] [data-testid="stVerticalBlock"] { gap: 0.6rem; }
</style>"""
SCROLL_TO_TOP = ("<script>window.scrollTo(0, 0); const main = document.querySelector('[data-testid=\"stMain\"]');"
                 " if (main) main.scrollTo(0, 0);</script>")
FAIR_WORDS = {"yes": "Fair and clear", "not_sure": "Not sure", "no": "Unfair", "reword": "Say it differently"}


def participant(session: ws.Workshop) -> str:
    """This phone's anonymous token for the workshop: from its cookie if it has joined before."""
    if state.get("ws_room") != session.id:
        kept = st.context.cookies.get(cookie_name(session))
        state.ws_participant = kept if isinstance(kept, str) and ws.TOKEN.fullmatch(kept) else ws.new_participant()
        state.ws_room = session.id
        state.ws_keep_token = True
        state.pop("ws_card", None)
    if state.pop("ws_keep_token", False):
        set_cookie(cookie_name(session), state.ws_participant, TOKEN_DAYS * 24 * 3600)
    return state.ws_participant


def cookie_name(session: ws.Workshop) -> str:
    return f"cl_workshop_{session.join_code}"


def send(session: ws.Workshop, card_ids: list[str], index: int) -> None:
    """Form callback: save this card's answer, then go to the next card this phone has not answered."""
    try:
        ws.submit(ctx.opened, session.id, state.ws_participant, card_ids[index], state.get(f"ws_matters_{index}"),
                  state.get(f"ws_fair_{index}"), state.get(f"ws_comment_{index}"), state.get(f"ws_missing_{index}"))
    except ws.WorkshopError as exc:
        state.ws_message = ("error", str(exc))
        return
    answered = set(ws.answers_of(ctx.cursor(), session.id, state.ws_participant))
    state.ws_card = ws.next_card(card_ids, answered, after=index)
    state.ws_message = ("success", "Saved. Thank you!")
    state.ws_scroll = True


def go_to(index: int | None) -> None:
    state.ws_card, state.ws_scroll = index, True


def start_again() -> None:
    """Someone else picks up this phone: a new anonymous person, from the first card."""
    state.ws_participant, state.ws_keep_token = ws.new_participant(), True
    state.pop("ws_card", None)


def show_message() -> None:
    if "ws_message" in state:
        kind, text = state.pop("ws_message")
        getattr(st, kind)(plain(text))
    if state.pop("ws_scroll", False):  # the next card starts at the top of the screen
        st.html(SCROLL_TO_TOP, unsafe_allow_javascript=True)


def card(row, index: int, total: int, sent: ws.Answer | None, session: ws.Workshop, card_ids: list[str]) -> None:
    """One card and its answers, prefilled with what this phone sent before."""
    st.caption(f"Card {index + 1} of {total} · no names, your answers are anonymous")
    with st.container(border=True):
        st.markdown(f"**{plain(row['title'])}**  \n{plain(row['question'])}")
        st.metric(plain(row["title"]), row["display"], label_visibility="collapsed")
        st.caption(YOUNG_PEOPLES_WORDS[row["voice"]])
    with st.form(f"ws_vote_{index}", border=False):
        st.pills("Does this matter to you?", list(ws.MATTERS), format_func=ws.MATTERS.get, key=f"ws_matters_{index}",
                 default=sent.matters if sent else None)
        st.pills("Is it fair and worded right?", list(ws.FAIR), format_func=FAIR_WORDS.get, key=f"ws_fair_{index}",
                 default=sent.fair if sent else None)
        with st.expander("Add your own words (you can skip this)", expanded=bool(sent and (sent.comment or sent.missing))):
            st.text_area("A comment, or how you would say it", value=(sent.comment or "") if sent else "",
                         max_chars=ws.TEXT_LIMIT, key=f"ws_comment_{index}", height=80)
            st.text_area("What's missing? Something that matters to you that no card asks",
                         value=(sent.missing or "") if sent else "", max_chars=ws.TEXT_LIMIT,
                         key=f"ws_missing_{index}", height=80)
        st.form_submit_button("Change my answer" if sent else "Send my answer", type="primary", width="stretch",
                              on_click=send, args=(session, card_ids, index))
    back, forward = st.columns(2)
    back.button("◀ Previous card", key="ws_previous", on_click=go_to, args=(max(index - 1, 0),), width="stretch",
                disabled=index == 0)
    forward.button("Next card ▶" if index + 1 < total else "Finish ▶", key="ws_next", width="stretch",
                   on_click=go_to, args=(index + 1 if index + 1 < total else None,))


def finished(session: ws.Workshop) -> None:
    st.success("Thank you, you have answered every card.")
    st.markdown("**What happens next:** the facilitator shows the room's answers on the big screen and talks them "
                "through with you. Your answers, and your words once the facilitator has read them, help decide "
                "which questions the council keeps, changes or drops.")
    st.markdown("You can change an answer until the workshop ends.")
    st.button("Change an answer", key="ws_review", on_click=go_to, args=(0,), width="stretch")
    st.button("Someone else is using this phone", key="ws_someone_else", on_click=start_again, width="stretch")


def cards(session: ws.Workshop) -> None:
    table = ws.cards(ctx.cursor(), session, ctx.year)
    card_ids = list(table["indicator_id"])
    token = participant(session)
    sent = ws.answers_of(ctx.cursor(), session.id, token)
    if "ws_card" not in state:  # joining, or back after a reload: the first card not answered yet
        state.ws_card = ws.next_card(card_ids, set(sent))
    st.title(plain(session.name))
    if state.ws_card is None and state.get("ws_message", ("",))[0] == "success":
        del state["ws_message"]  # the finished screen says thank you itself
    show_message()
    if state.ws_card is None:
        finished(session)
        return
    index = min(state.ws_card, len(card_ids) - 1)
    card(table.iloc[index], index, len(card_ids), sent.get(card_ids[index]), session, card_ids)


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


st.html(PHONE_STYLE)
code = st.query_params.get("code")
joined = ws.find(ctx.cursor(), code) if code else None
try:  # e.g. none of a workshop's indicators exist any more: say so, never a traceback
    if joined and not joined.closed:
        cards(joined)
    else:
        code_box(code, ended=bool(joined and joined.closed))
except ws.WorkshopError as exc:
    st.error(plain(exc))

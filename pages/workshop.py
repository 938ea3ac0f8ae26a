"""Workshop, the facilitator's page: start a workshop, open the projector view, watch the room's answers,
approve comments, record decisions, print cards, end it (and, for an analyst, delete it).

Care leavers join on their phones with `<app>/workshop?code=K7QPX` (pages/join.py); the room's screen
is `<app>/projector?room=K7QPX` (pages/projector.py). Ended workshops stay listed with everything
they gathered. Widget keys start with ws_ (forms ws_create, ws_decide), stable for the browser tests.
"""
from urllib.parse import urlencode, urlsplit

import streamlit as st

from cl_metrics import workshop as ws
from pages.common import current, download, plain, said_here, say, status_badge

ctx = current()
state = st.session_state


def create(choices: dict) -> None:
    """Form callback: a new workshop, selected for the facilitator straight away."""
    try:
        made = ws.create_workshop(ctx.opened, ctx.actor, state.ws_name, [choices[i] for i in state.ws_cards],
                                  ctx.threshold)
        state.ws_running = made.id
        state.ws_starting = False  # fold the form away: the new workshop's live results refresh again
        say("ws_create", "success", plain(f"Workshop '{made.name}' is ready: join code {made.join_code}."))
    except ws.WorkshopError as exc:
        say("ws_create", "error", plain(exc))


def address(path: str, **query: str) -> str:
    """A link to this app (as the browser reached it) at `path` with `query`."""
    here = urlsplit(st.context.url or "")
    base = f"{here.scheme}://{here.netloc}" if here.netloc else ""
    return f"{base}/{path}?{urlencode(query)}"


def live_results(session: ws.Workshop, titles: dict[str, str]) -> None:
    """The room's answers; a card's answers once 3 people have answered it."""
    found = ws.results(ctx.cursor(), ctx.actor, session, titles, ctx.mode)
    st.metric("People who have answered", found.participants)
    st.caption(ws.results_summary(found.summary))
    if not found.distribution.empty:
        left, right = st.columns(2)
        left.altair_chart(ws.answers_chart(found.distribution, "matters"), width="stretch", theme=None)
        right.altair_chart(ws.answers_chart(found.distribution, "fair"), width="stretch", theme=None)
    st.dataframe(found.summary.drop(columns="indicator_id"), hide_index=True, key="ws_results_table")
    download(found.summary.drop(columns="indicator_id"), f"workshop_{session.join_code}_results",
             "Download the room's answers (CSV)")


def show_on_screen(session: ws.Workshop, feedback_id: int) -> None:
    """Checkbox callback: put a comment on the projector, or take it off again."""
    ws.set_approved(ctx.opened, ctx.actor, session.id, [feedback_id], state[f"ws_show_{feedback_id}"])


def comments(session: ws.Workshop, titles: dict[str, str]) -> None:
    """Every comment waits for the facilitator, those not yet on screen first; one that may name someone
    or hold contact details says so."""
    review = ws.comments_to_review(ctx.cursor(), ctx.actor, session, titles)
    if review.empty:
        st.info("No words yet. Comments appear here first; tick one to put it on the projector.")
        return
    flagged = int((review["Check first"] != "").sum())
    st.caption(f"{len(review)} comments, {int(review['Approved'].sum())} on screen."
               + (f" {flagged} may name someone or hold contact details: read them before showing." if flagged else ""))
    for _, said in review.sort_values("Approved", kind="stable").iterrows():
        with st.container(border=True):
            words = " · ".join(plain(t) for t in (said["Comment"], said["What's missing"]) if t)
            st.markdown(f"“{words}”  \n{plain(said['Card'])}")
            if said["Check first"]:
                st.warning(f"Check first: it may contain {said['Check first']}.", icon=":material/visibility:")
            st.checkbox("Show on screen", value=bool(said["Approved"]), key=f"ws_show_{said['id']}",
                        on_change=show_on_screen, args=(session, int(said["id"])))
    download(ws.comments_export(ctx.cursor(), ctx.actor, session, titles), f"workshop_{session.join_code}_comments",
             "Download the approved comments (CSV)")
    if ctx.actor.may("record_lists") and ctx.mode == "analyst":
        download(ws.comments_export(ctx.cursor(), ctx.actor, session, titles, everything=True),
                 f"workshop_{session.join_code}_all_comments", "Download every comment (CSV, analysts)")


def decide(session: ws.Workshop, table) -> None:
    with st.form("ws_decide"):
        row = st.selectbox("Card", list(table.index), format_func=table["title"].get, key="ws_decision_card")
        decision = st.radio("Decision", list(ws.DECISIONS), format_func=ws.DECISIONS.get, key="ws_decision",
                            index=None)
        note = st.text_input("Note (optional)", max_chars=ws.TEXT_LIMIT, key="ws_decision_note")
        if st.form_submit_button("Record decision"):
            try:
                ws.record_decision(ctx.opened, ctx.actor, session, table.at[row, "indicator"], decision, note)
                st.success(f"Recorded: {ws.DECISIONS[decision]}, '{plain(table.at[row, 'title'])}'.")
            except ws.WorkshopError as exc:
                st.error(plain(exc))
    st.dataframe(ws.decision_table(ctx.cursor(), session.id), hide_index=True, key="ws_decisions_table")


def end(session: ws.Workshop) -> None:
    ws.close_workshop(ctx.opened, ctx.actor, session.id)
    say("ws_close", "info", plain(f"'{session.name}' has ended. Everything it gathered is kept above."))


def delete(session: ws.Workshop) -> None:
    ws.delete_workshop(ctx.opened, ctx.actor, session.id)
    state.pop("ws_running", None)
    say("ws_delete", "info", plain(f"'{session.name}' was deleted."))


def confirm(key: str, question: str, consequence: str, yes: str, no: str, action, session: ws.Workshop) -> None:
    """A button that asks before it acts: the question, what follows, and a way back."""
    if state.get("ws_confirming") != (key, session.id):
        st.button(question.rstrip("?"), key=key, on_click=state.update, kwargs={"ws_confirming": (key, session.id)})
        return
    with st.container(border=True):
        st.markdown(f"**{question}** {consequence}")
        left, right = st.columns(2)
        left.button(yes, type="primary", key=f"{key}_yes", on_click=lambda: (state.pop("ws_confirming"), action(session)))
        right.button(no, key=f"{key}_no", on_click=state.pop, args=("ws_confirming",))


def joining_details(session: ws.Workshop) -> None:
    """The join code, link and QR code, and the way to the projector view."""
    link = address("workshop", code=session.join_code)
    code_column, qr_column = st.columns([3, 1])
    with code_column:
        st.markdown(f"## Join code: `{session.join_code}`")
        st.code(link, language=None)
        st.link_button("Open the projector view", address("projector", room=session.join_code),
                       icon=":material/slideshow:")
    qr_column.image(ws.join_qr_png(link, scale=6), caption="Scan to join", width=160, alt=f"QR code for {link}")


def facilitator() -> None:
    st.title("Workshop")
    st.caption("Care leavers answer one card at a time on their phones; you see the room's answers as they come.")
    choices = {ind.id: ind for ind in ws.discussable(ctx.cursor())}
    every = ws.workshops(ctx.cursor())
    starting = st.expander("Start a workshop", expanded=not every, key="ws_starting", on_change="rerun")
    with starting, st.form("ws_create"):
        st.text_input("Workshop name", max_chars=ws.NAME_LIMIT, key="ws_name")
        st.multiselect("Cards to discuss (in this order)", list(choices), key="ws_cards",
                       format_func=lambda i: f"{choices[i].title} ({status_badge(choices[i].status)})")
        st.form_submit_button("Create workshop", type="primary", on_click=create, args=(choices,))
    said_here("ws_create")  # below the form: a new workshop folds the form away
    said_here("ws_delete")  # the deleted workshop's place: the page now shows another, or none
    if not every:
        st.stop()
    by_id = {w.id: w for w in every}
    session = by_id[st.selectbox("Workshop", list(by_id), format_func=lambda i: by_id[i].label(), key="ws_running")]
    if session.closed:
        st.info("This workshop has ended: phones no longer take answers. Its results, comments, decisions and cards "
                "are kept here.")
    else:
        joining_details(session)
    st.caption(session.hiding())
    table = ws.cards(ctx.cursor(), session, ctx.year)
    titles = dict(zip(table["indicator_id"], table["title"]))
    st.subheader("The room's answers")
    # Refreshed every few seconds, except while the start form is open: a redraw closes its open card list.
    if starting.open:
        st.caption("Live updates are paused while the start form is open.")
    st.fragment(live_results, run_every=None if starting.open or session.closed else "3s")(session, titles)
    st.subheader("Their words")
    comments(session, titles)
    st.subheader("Decisions")
    decide(session, table)
    st.subheader("Printable cards, for rooms without phones")
    cards_html = ws.printable_cards(session, table)
    st.download_button("Download printable cards (HTML)", cards_html, f"workshop_{session.join_code}_cards.html",
                       mime="text/html", key="ws_print")
    with st.expander("Preview the printable cards"):
        st.html(cards_html)
    if not session.closed:
        confirm("ws_close", "End this workshop?", f"Phones stop taking answers for '{plain(session.name)}'. Its results, "
                "comments, decisions and printable cards stay on this page.", "Yes, end it", "Keep it running", end,
                session)
    said_here("ws_close")
    if ctx.actor.may("delete_workshops"):
        confirm("ws_delete", "Delete this workshop?", f"'{plain(session.name)}' and every answer, comment and decision "
                "it gathered are removed from the store for good. Download what you need first.", "Yes, delete it",
                "Keep it", delete, session)


try:  # e.g. none of a workshop's indicators exist any more: say so, never a traceback
    facilitator()
except ws.WorkshopError as exc:
    st.error(plain(exc))

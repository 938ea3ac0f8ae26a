"""The projector view: the room's screen, readable from the back, with nothing else of the app.

`<app>/projector?room=K7QPX`, opened by a facilitator (app.py shows it only to those who may run
workshops, with no sidebar or menu). The join code as text and as a QR code, how many have answered,
each card's answers once 3 people have answered it (never who), and approved comments only.
"""
from urllib.parse import urlencode, urlsplit

import streamlit as st

from cl_metrics import workshop as ws
from pages.common import current, plain

ctx = current()
ROOM_STYLE = """<style>
[data-testid="stMainBlockContainer"] { padding: 1.5rem 2.5rem; max-width: 100%; }
[data-testid="stMain"] p, [data-testid="stMain"] li { font-size: 26px !important; line-height: 1.35; }
[data-testid="stMain"] h1 { font-size: 3rem; }
[data-testid="stMain"] h2 { font-size: 2.2rem; }
[data-testid="stMain"] h3 { font-size: 1.8rem; }
[data-testid="stMain"] [data-testid="stMetricValue"], [data-testid="stMain"] [data-testid="stMetricValue"] * {
  font-size: 4rem !important; line-height: 1.1; }
[data-testid="stMain"] [data-testid="stMetricLabel"] p { font-size: 26px !important; }
.cl-code { font-family: ui-monospace, monospace; font-size: 5rem; font-weight: 700; letter-spacing: 0.3rem; }
</style>"""


def join_link(code: str) -> str:
    here = urlsplit(st.context.url or "")
    return f"{here.scheme}://{here.netloc}/workshop?{urlencode({'code': code})}" if here.netloc else \
        f"/workshop?{urlencode({'code': code})}"


@st.fragment(run_every="3s")
def room(session: ws.Workshop, titles: dict[str, str]) -> None:
    """What the room sees, refreshed every few seconds."""
    found = ws.results(ctx.cursor(), ctx.actor, session, titles, "workshop")
    st.metric("People who have answered", found.participants)
    for _, row in found.summary.iterrows():
        st.subheader(plain(row["Card"]))
        one = found.distribution[found.distribution["card"] == row["Card"]]
        if one.empty:  # fewer than 3 answers: nothing of this card on screen yet
            st.markdown(plain(f"Answers show here once {ws.OPINION_MINIMUM} people have answered: {row['Answers']}."))
            continue
        for question in ("matters", "fair"):  # one above the other: every legend label whole
            st.altair_chart(ws.answers_chart(one, question, height_step=56, card_axis=False, legend_size=22)
                            .configure_axis(labelFontSize=20, titleFontSize=20).configure_title(fontSize=24),
                            width="stretch", theme=None)
    st.header("Your words")
    if found.comments.empty:
        st.markdown("Comments appear here once the facilitator has read them.")
    for _, said in found.comments.head(8).iterrows():
        words = " · ".join(plain(t) for t in (said["Comment"], said["What's missing"]) if t)
        st.markdown(f"“{words}” ({plain(said['Card'])})")


st.html(ROOM_STYLE)
session = ws.find(ctx.cursor(), st.query_params.get("room", ""))
if session is None:
    st.title("No workshop has that code")
    st.stop()
join_column, results_column = st.columns([2, 3], gap="large")
with join_column:
    st.title(plain(session.name))
    if session.closed:
        st.markdown("This workshop has ended. Thank you, everyone.")
    else:
        link = join_link(session.join_code)
        st.markdown("Join on your phone: scan the code, or type this code at the address below")
        st.html(f'<div class="cl-code">{session.join_code}</div>')  # letters and digits we made
        st.image(ws.join_qr_png(link, scale=12), width=300, alt=f"QR code: scan to join at {link}")
        st.markdown(plain(link))
with results_column:
    table = ws.cards(ctx.cursor(), session, ctx.year)
    room(session, dict(zip(table["indicator_id"], table["title"])))

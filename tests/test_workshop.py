"""Workshops: join codes, one answer per person per card, the room's results, decisions, printable
cards, escaped comments, and the page's round trip (facilitator creates, participant joins by code,
votes, the facilitator sees it) in both modes."""
from __future__ import annotations

import dataclasses

import pytest
from streamlit.testing.v1 import AppTest

from cl_metrics import lab, session, views
from cl_metrics.access import AccessDenied
from cl_metrics import workshop as ws
from cl_metrics.indicators import DeclarationError, builtin, by_id, compute
from pages.common import MODE_LABELS
from synthetic.generate import write_store
from tests.conftest import ANALYST, APP, FACILITATOR, MANAGER, as_read

SCRIPT = "<script>alert('x')</script>"
CANDIDATE = builtin()[0].model_copy(update={"id": "cand_feels_heard", "status": "candidate",
                                            "title": "Feels <b>heard</b> & listened to"})



@pytest.fixture(scope="module")
def workshop_store(tmp_path_factory) -> str:
    """The app's store for these tests (its own file: the shared small store is read-only by rule)."""
    path = tmp_path_factory.mktemp("workshop") / "workshop.duckdb"
    write_store(path, people=600, seed=5)
    return str(path)


def rows(opened, sql: str, params=()) -> list[tuple]:
    return opened.cursor().execute(sql, list(params)).fetchall()


def test_clean_text_drops_control_characters_and_refuses_text_over_the_limit():
    assert ws.clean_text("  hi\x00 there\x07 \n") == "hi there"
    assert ws.clean_text("   ") is None
    assert ws.clean_text("é" * ws.TEXT_LIMIT) == "é" * ws.TEXT_LIMIT
    with pytest.raises(ws.WorkshopError, match=f"up to {ws.TEXT_LIMIT} characters long; this has 501"):
        ws.clean_text("é" * 501)


def test_join_codes_are_short_unambiguous_and_never_reused(opened, monkeypatch):
    made = [ws.create_workshop(opened, FACILITATOR, f"Room {i}", builtin()[:2]) for i in range(30)]
    codes = [w.join_code for w in made]
    assert len(set(codes)) == 30
    assert all(len(c) == ws.rooms.CODE_LENGTH and set(c) <= set(ws.rooms.CODE_ALPHABET) for c in codes)
    assert not set("01OIL") & set(ws.rooms.CODE_ALPHABET)
    drawn = iter([codes[0], codes[1], "ZZZZZ"])  # two codes already in use, then a free one
    monkeypatch.setattr(ws.rooms, "new_code", lambda: next(drawn))
    assert ws.create_workshop(opened, FACILITATOR, "Room 31", builtin()[:1]).join_code == "ZZZZZ"
    assert ws.find(opened.cursor(), " zz-zzz ").name == "Room 31"


@pytest.mark.parametrize("name, indicators", [("", builtin()[:1]), ("Room", ()), ("[link](http://x)", builtin()[:1])])
def test_create_workshop_refuses_empty_or_marked_up_requests(opened, name, indicators):
    with pytest.raises(ws.WorkshopError):
        ws.create_workshop(opened, FACILITATOR, name, indicators)
    assert rows(opened, "SELECT count(*) FROM workshop") == [(0,)]


def test_a_second_answer_replaces_the_first_and_bad_answers_are_refused(opened):
    room = ws.create_workshop(opened, FACILITATOR, "Room", builtin()[:2])
    card = room.indicator_ids[0]
    ws.submit(opened, room.id, "p1", card, matters=2, fair="no")
    ws.submit(opened, room.id, "p1", card, matters=5, fair="yes", comment="changed my mind")
    assert rows(opened, "SELECT matters, fair, comment FROM indicator_feedback") == [(5, "yes", "changed my mind")]
    for bad in [dict(indicator_id="eet_neet_19_21", matters=3), dict(indicator_id=card, matters=6),
                dict(indicator_id=card, fair="maybe"), dict(indicator_id=card, comment="   ")]:
        with pytest.raises(ws.WorkshopError):
            ws.submit(opened, room.id, "p2", **bad)
    ws.close_workshop(opened, FACILITATOR, room.id)
    with pytest.raises(ws.WorkshopError, match="ended"):
        ws.submit(opened, room.id, "p2", card, matters=3)
    assert rows(opened, "SELECT count(*) FROM indicator_feedback") == [(1,)]


def test_comments_are_length_limited_stored_as_text_and_never_beside_a_token(opened):
    room = ws.create_workshop(opened, FACILITATOR, "Room", builtin()[:1])
    with pytest.raises(ws.WorkshopError, match="what's missing' answer can be up to 500"):
        ws.submit(opened, room.id, "secret-token", room.indicator_ids[0], comment=SCRIPT, missing="m" * 900)
    assert rows(opened, "SELECT count(*) FROM indicator_feedback") == [(0,)]
    ws.submit(opened, room.id, "secret-token", room.indicator_ids[0], comment=SCRIPT, missing="m" * 500)
    assert rows(opened, "SELECT comment, length(missing) FROM indicator_feedback") == [(SCRIPT, ws.TEXT_LIMIT)]
    found = ws.results(opened.cursor(), ANALYST, room, {}, "analyst")
    assert list(found.comments.columns) == ["Card", "Comment", "What's missing"]
    assert found.comments.at[0, "Comment"] == SCRIPT
    assert "secret-token" not in found.comments.to_csv() + found.summary.to_csv()


def test_results_count_the_room_and_show_a_card_once_three_have_answered_it(opened):
    room = ws.create_workshop(opened, FACILITATOR, "Room", builtin()[:2])
    busy, quiet = room.indicator_ids
    for person, level in enumerate([5, 5, 4, 2, 1, 5]):
        ws.submit(opened, room.id, f"p{person}", busy, matters=level, fair="reword" if level < 3 else "yes")
    for person in range(2):
        ws.submit(opened, room.id, f"p{person}", quiet, matters=3)
    analyst = ws.results(opened.cursor(), ANALYST, room, {}, "analyst").summary.set_index("indicator_id")
    assert analyst.at[busy, "Answers"] == "6" and analyst.at[quiet, "Answers"] == "2"
    assert analyst.at[busy, "Matters: Very much"] == 3 and analyst.at[busy, "Matters: Not at all"] == 1
    assert analyst.at[busy, "Fair: Fair, but say it differently"] == 2
    assert analyst.at[busy, ws.AVERAGE] == pytest.approx(3.7)
    found = ws.results(opened.cursor(), FACILITATOR, room, {}, "workshop")
    shown = found.summary.set_index("indicator_id")
    assert shown.at[quiet, "Answers"] == "waiting for 3 answers (2 so far)" and shown.loc[quiet].iloc[2:].isna().all()
    assert shown.at[busy, "Matters: Very much"] == 3  # three or more answers: the room's counts as they are
    assert set(found.distribution["card"]) == {busy} and found.participants == 6
    assert "matters most to the room" in ws.results_summary(found.summary)
    ws.submit(opened, room.id, "p2", quiet, matters=4)  # the third answer puts the card on screen
    third = ws.results(opened.cursor(), FACILITATOR, room, {}, "workshop").summary.set_index("indicator_id")
    assert third.at[quiet, "Answers"] == "3" and third.at[quiet, "Matters: A lot"] == 1


def test_a_workshop_keeps_its_threshold_for_every_card(opened):
    cautious = ws.create_workshop(opened, FACILITATOR, "Cautious room", builtin()[:1], threshold=8)
    assert ws.find(opened.cursor(), cautious.join_code).threshold == 8
    assert "hide groups of fewer than 8 young people" in cautious.hiding()
    assert ws.create_workshop(opened, FACILITATOR, "Lax room", builtin()[:1], threshold=2).threshold == 5  # never below 5


def test_results_are_read_once_per_change_of_answers(opened, monkeypatch):
    room = ws.create_workshop(opened, FACILITATOR, "Room", builtin()[:1])
    card = room.indicator_ids[0]
    counted = []
    monkeypatch.setattr(ws.tally, "_answer_counts", lambda con, workshop_id: counted.append(1) or {})
    ws.results(opened.cursor(), ANALYST, room, {}, "analyst")
    ws.results(opened.cursor(), ANALYST, room, {}, "analyst")
    assert len(counted) == 1
    ws.submit(opened, room.id, "p1", card, matters=2)
    ws.results(opened.cursor(), ANALYST, room, {}, "analyst")
    ws.submit(opened, room.id, "p1", card, matters=3)  # a replaced answer is a change too
    ws.results(opened.cursor(), ANALYST, room, {}, "analyst")
    ws.results(opened.cursor(), ANALYST, room, {}, "analyst")
    assert len(counted) == 3
    ws.results(opened.cursor(), ANALYST, room, {}, "workshop")  # another mode is another result
    assert len(counted) == 4
    ws.submit(opened, room.id, "p1", card, comment="Ask us")
    ws.results(opened.cursor(), ANALYST, room, {}, "workshop")
    found = ws.comments_to_review(opened.cursor(), FACILITATOR, room, {})
    ws.set_approved(opened, FACILITATOR, room.id, [int(found.at[0, "id"])])  # an approval is a change too
    ws.results(opened.cursor(), ANALYST, room, {}, "workshop")
    assert len(counted) == 6


def test_a_comment_reaches_the_room_only_once_the_facilitator_approves_it(opened):
    room = ws.create_workshop(opened, FACILITATOR, "Room", builtin()[:1])
    card = room.indicator_ids[0]
    ws.submit(opened, room.id, "p1", card, matters=4, comment="Ask us how often we move")
    ws.submit(opened, room.id, "p2", card, comment="Ring Sarah on 07700 900123 or sarah@example.org")
    assert ws.results(opened.cursor(), FACILITATOR, room, {}, "workshop").comments.empty  # nothing unapproved
    review = ws.comments_to_review(opened.cursor(), FACILITATOR, room, {card: "In touch"})
    flags = dict(zip(review["Comment"], review["Check first"]))
    assert flags["Ask us how often we move"] == ""
    assert flags["Ring Sarah on 07700 900123 or sarah@example.org"] == "a phone number, an e-mail address, a name"
    first = int(review.loc[review["Comment"] == "Ask us how often we move", "id"].iloc[0])
    ws.set_approved(opened, FACILITATOR, room.id, [first])
    shown = ws.results(opened.cursor(), FACILITATOR, room, {card: "In touch"}, "workshop").comments
    assert shown["Comment"].tolist() == ["Ask us how often we move"]
    assert ws.comments_export(opened.cursor(), FACILITATOR, room, {})["Comment"].tolist() == ["Ask us how often we move"]
    assert len(ws.comments_export(opened.cursor(), ANALYST, room, {}, everything=True)) == 2
    with pytest.raises(AccessDenied):
        ws.comments_export(opened.cursor(), FACILITATOR, room, {}, everything=True)
    ws.submit(opened, room.id, "p1", card, matters=4, comment="Ask us how often we move house")  # changed words
    assert ws.results(opened.cursor(), FACILITATOR, room, {}, "workshop").comments.empty  # wait to be read again


@pytest.mark.parametrize("text, found", [
    ("I'm Jade and my number is +44 7700 900 123", ["a phone number", "a name"]),
    ("email me: jade.smith+care@mail.co.uk", ["an e-mail address"]),
    ("I live near YO1 7HH", ["a postcode"]),
    ("We should be asked about money more often", []),
    ("In 2024 I moved 3 times", []),
])
def test_personal_details_are_flagged_for_the_facilitator(text, found):
    assert ws.personal_details(text) == found


def test_a_phone_resumes_at_its_next_card_and_sees_what_it_sent(opened):
    room = ws.create_workshop(opened, FACILITATOR, "Room", builtin()[:3])
    ids = list(room.indicator_ids)
    assert ws.next_card(ids, set()) == 0
    ws.submit(opened, room.id, "phone", ids[0], matters=2, fair="no", comment="too vague")
    ws.submit(opened, room.id, "phone", ids[2], matters=5)
    sent = ws.answers_of(opened.cursor(), room.id, "phone")
    assert sent[ids[0]] == ws.Answer(2, "no", "too vague", None) and set(sent) == {ids[0], ids[2]}
    assert ws.next_card(ids, set(sent)) == 1 and ws.next_card(ids, set(sent), after=2) == 1
    assert ws.next_card(ids, set(ids)) is None  # every card answered: the finished screen


def test_ended_workshops_stay_listed_until_an_analyst_deletes_them(opened):
    room = ws.create_workshop(opened, FACILITATOR, "Room", builtin()[:1])
    ws.submit(opened, room.id, "p1", room.indicator_ids[0], matters=3, comment="kept")
    ws.close_workshop(opened, FACILITATOR, room.id)
    [listed] = ws.workshops(opened.cursor())
    assert listed.closed and listed.label().endswith("ended)")
    assert ws.results(opened.cursor(), FACILITATOR, listed, {}, "analyst").participants == 1
    with pytest.raises(AccessDenied, match="needs the analyst role"):
        ws.delete_workshop(opened, FACILITATOR, room.id)
    ws.delete_workshop(opened, ANALYST, room.id)
    assert ws.workshops(opened.cursor()) == [] and rows(opened, "SELECT count(*) FROM indicator_feedback") == [(0,)]


def test_decisions_are_recorded_with_the_workshop_that_made_them(opened):
    lab.create(opened, MANAGER, CANDIDATE, "Test facilitator")
    room = ws.create_workshop(opened, FACILITATOR, "Room", [builtin()[0], CANDIDATE])
    other = ws.create_workshop(opened, FACILITATOR, "Another room", [builtin()[0]])
    ws.record_decision(opened, FACILITATOR, room, CANDIDATE, "promote", "The room wants it")
    ws.record_decision(opened, FACILITATOR, other, builtin()[0], "reword", None)
    with pytest.raises(ws.WorkshopError, match="Only a candidate"):
        ws.record_decision(opened, FACILITATOR, room, builtin()[0], "promote")
    with pytest.raises(ws.WorkshopError, match="not one of this workshop"):
        ws.record_decision(opened, FACILITATOR, other, CANDIDATE, "reword")
    made = ws.decisions(opened.cursor(), room.id)
    assert made[["workshop_id", "workshop", "join_code", "indicator_id", "decision", "note"]].values.tolist() == [
        [room.id, "Room", room.join_code, CANDIDATE.id, "promote", "The room wants it"]]
    assert len(ws.decisions(opened.cursor())) == 2
    assert [ind.status for ind in lab.saved(opened.cursor()) if ind.id == CANDIDATE.id] == ["prototype"]


def test_printable_cards_one_per_page_with_workshop_figures_and_escaped_text(workshop_store, monkeypatch):
    monkeypatch.setattr(lab, "saved", lambda con, include_retired=False: (CANDIDATE,) if include_retired else ())
    opened = app_store(workshop_store, monkeypatch)
    room = ws.Workshop("w1", "ABCDE", "Tom's <i>room</i>", ("kit_in_touch_19_21", CANDIDATE.id, "gone"), None, False)
    year = max(compute.years(opened.cursor()))
    table = ws.cards(opened.cursor(), room, year)
    expected = views.indicator_figures(opened.cursor(), year, "workshop", indicators=[builtin()[0], CANDIDATE])
    assert list(table["display"]) == list(expected["display"])  # the retired-and-gone card is left out
    strict = ws.cards(opened.cursor(), dataclasses.replace(room, threshold=100_000), year)  # the room's own threshold
    assert set(strict["display"]) <= {"fewer than 100000", "suppressed"}
    page = ws.printable_cards(room, table)
    assert page.count('<section class="cl-card">') == 2 and "@media print" in page and "break-before: page" in page
    assert "Feels &lt;b&gt;heard&lt;/b&gt; &amp; listened to" in page and "<b>heard" not in page
    assert "Tom&#x27;s &lt;i&gt;room&lt;/i&gt;" in page
    assert all(f'<div class="cl-figure">{d}</div>' in page for d in expected["display"])


def test_a_stale_saved_candidate_does_not_stop_the_room(opened, monkeypatch):
    def stale(con, include_retired=False):
        raise DeclarationError("saved candidates, indicator 'cand_old', population.0: unknown field 'gone'")
    monkeypatch.setattr(lab, "saved", stale)
    assert ws.discussable(opened.cursor()) == builtin()


# --- the page, through AppTest -------------------------------------------------------------------

def page(workshop_store, monkeypatch, mode: str, code: str | None = None) -> AppTest:
    """The workshop page as a fresh browser session would open it (with `?code=` for a participant)."""
    monkeypatch.setenv("CL_STORE", workshop_store)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["mode"] = MODE_LABELS[mode]  # the sidebar's radio is bound to the URL by its label
    if code:
        at.query_params["code"] = code
    at.switch_page("pages/workshop.py").run()
    assert not at.exception, at.exception
    if code:  # the phone view: no sidebar, so no mode switch, whatever the URL says
        assert "mode" not in [r.key for r in at.radio] and not at.sidebar.children
    else:
        assert at.radio(key="mode").value == mode
    return at


def app_store(workshop_store, monkeypatch) -> session.OpenStore:
    """The app's own open store (one write lock per process), as the page uses it."""
    return page(workshop_store, monkeypatch, "workshop").session_state["_context"].opened


def click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    return at.run()


def shown_text(at: AppTest) -> str:
    """Everything rendered as markdown or HTML (where an unescaped <script> would matter)."""
    kinds = ["markdown", "caption", "title", "subheader", "success", "error", "warning", "info", "html"]
    return " ".join(str(el.value) for kind in kinds for el in at.get(kind))


def create_through_page(at: AppTest, name: str, cards: list[str]) -> ws.Workshop:
    at.text_input(key="ws_name").input(name)
    at.multiselect(key="ws_cards").set_value(cards)
    click(at, "Create workshop")
    assert not at.exception, at.exception
    made = next(w for w in ws.workshops(at.session_state["_context"].cursor()) if w.name == name)
    assert f"## Join code: `{made.join_code}`" in [m.value for m in at.markdown]
    assert at.code[0].value == f"/workshop?code={made.join_code}"  # the form printed cards carry
    return made


def answer(phone: AppTest, matters: int | None = None, fair: str | None = None, comment: str = "") -> AppTest:
    """Answer the card on screen and send it."""
    index = phone.session_state["ws_card"]
    if matters is not None:
        phone.button_group(key=f"ws_matters_{index}").set_value(matters)
    if fair is not None:
        phone.button_group(key=f"ws_fair_{index}").set_value(fair)
    if comment:
        phone.text_area(key=f"ws_comment_{index}").input(comment)
    return click(phone, "Change my answer" if any(b.label == "Change my answer" for b in phone.button)
                 else "Send my answer")


def results_table(at: AppTest):
    return next(d.value for d in at.dataframe if ws.AVERAGE in d.value.columns).set_index("Card")


@pytest.mark.parametrize("facilitator_mode", ["analyst", "workshop"])
def test_round_trip_create_join_vote_approve_and_see_the_vote(workshop_store, monkeypatch, facilitator_mode):
    facilitator = page(workshop_store, monkeypatch, facilitator_mode)
    cards = ["acc_suitable_19_21", "acc_feels_safe_home"]
    made = create_through_page(facilitator, f"Round trip {facilitator_mode}", cards)

    phone = page(workshop_store, monkeypatch, "analyst", code=made.join_code.lower())
    assert [t.value for t in phone.title] == [made.name]
    ctx = phone.session_state["_context"]
    expected = views.indicator_figures(ctx.cursor(), ctx.year, "workshop", indicators=[by_id(c) for c in cards])
    assert [m.value for m in phone.metric] == [expected["display"].iloc[0]]  # workshop figures, even in analyst mode
    answer(phone, matters=4, fair="reword", comment=SCRIPT)
    assert "Saved. Thank you!" in [as_read(s.value) for s in phone.success]
    assert [m.value for m in phone.metric] == [expected["display"].iloc[1]]  # moved on to card 2

    facilitator.run()
    assert not facilitator.exception
    table = results_table(facilitator)
    one = "1" if facilitator_mode == "analyst" else "waiting for 3 answers (1 so far)"
    assert table.at["Suitable accommodation, aged 19-21", "Answers"] == one
    assert [m.value for m in facilitator.metric] == ["1"]  # the room's phones, as they are
    if facilitator_mode == "analyst":
        assert table.at["Suitable accommodation, aged 19-21", "Matters: A lot"] == 1
    [show] = [c for c in facilitator.checkbox if c.key.startswith("ws_show_")]
    assert show.value is False and SCRIPT in as_read(shown_text(facilitator))  # waiting, escaped, for approval
    show.check().run()
    assert ws.results(facilitator.session_state["_context"].cursor(), FACILITATOR, made, {}, "workshop"
                      ).comments["Comment"].tolist() == [SCRIPT]
    assert SCRIPT not in shown_text(facilitator) and SCRIPT not in shown_text(phone)  # only ever escaped


def test_a_phone_comes_back_to_its_next_card_sees_its_answers_and_finishes(workshop_store, monkeypatch):
    made = ws.create_workshop(app_store(workshop_store, monkeypatch), FACILITATOR, "Come back", builtin()[:2])
    phone = page(workshop_store, monkeypatch, "workshop", code=made.join_code)
    token = phone.session_state["ws_participant"]
    answer(phone, matters=2, fair="no")
    assert phone.session_state["ws_card"] == 1
    again = AppTest.from_file(APP, default_timeout=60)  # a reload: a new session, the same person
    again.query_params["code"] = made.join_code
    again.session_state["ws_room"], again.session_state["ws_participant"] = made.id, token  # as its cookie says
    again.switch_page("pages/workshop.py").run()
    assert again.session_state["ws_card"] == 1 and "Card 2 of 2" in as_read(shown_text(again))
    click(again, "◀ Previous card")
    assert again.button_group(key="ws_matters_0").value == 2 and again.button_group(key="ws_fair_0").value == "no"
    assert any(b.label == "Change my answer" for b in again.button)
    click(again, "Next card ▶")
    answer(again, matters=5)
    assert again.session_state["ws_card"] is None and "you have answered every card" in as_read(shown_text(again))
    people = ws.results(again.session_state["_context"].cursor(), ANALYST, made, {}, "analyst").participants
    assert people == 1  # one phone, however often it reloads
    click(again, "Someone else is using this phone")
    assert again.session_state["ws_participant"] != token and again.session_state["ws_card"] == 0


def test_the_comment_box_holds_the_limit_and_a_wrong_code_says_so(workshop_store, monkeypatch):
    made = ws.create_workshop(app_store(workshop_store, monkeypatch), FACILITATOR, "Long words", builtin()[:1])
    phone = page(workshop_store, monkeypatch, "workshop", code=made.join_code)
    assert phone.text_area(key="ws_comment_0").max_chars == phone.text_area(key="ws_missing_0").max_chars == ws.TEXT_LIMIT
    phone.text_area(key="ws_missing_0").set_value("x" * 700)  # past the box's limit, as a forged message could be
    click(phone, "Send my answer")
    assert "Thank you, you have answered every card." in [as_read(s.value) for s in phone.success]  # its only card
    stored = phone.session_state["_context"].cursor().execute(
        "SELECT length(missing) FROM indicator_feedback WHERE workshop_id = ?", [made.id]).fetchall()
    assert stored == [(ws.TEXT_LIMIT,)]
    lost = page(workshop_store, monkeypatch, "workshop", code="QQQQQ")
    assert any("That code does not open a workshop" in w.value for w in lost.warning)
    assert [t.value for t in lost.title] == ["Join a workshop"]  # the code box only, not the facilitator's page


def test_facilitator_records_a_decision_for_the_workshop_on_screen(workshop_store, monkeypatch):
    facilitator = page(workshop_store, monkeypatch, "workshop")
    made = create_through_page(facilitator, "Decisions room", ["fin_money_confident", "fin_photo_id"])
    assert facilitator.radio(key="ws_decision").value is None  # nothing chosen until the facilitator chooses
    facilitator.selectbox(key="ws_decision_card").set_value(1)
    facilitator.radio(key="ws_decision").set_value("reword")
    facilitator.text_input(key="ws_decision_note").input("Say 'ID' not 'photo ID'")
    click(facilitator, "Record decision")
    assert not facilitator.exception and facilitator.success
    made_decisions = ws.decisions(facilitator.session_state["_context"].cursor(), made.id)
    assert made_decisions[["workshop_id", "indicator_id", "decision", "note"]].values.tolist() == [
        [made.id, "fin_photo_id", "reword", "Say 'ID' not 'photo ID'"]]
    shown = next(d.value for d in facilitator.dataframe if "Decision" in d.value.columns)
    assert shown[["Indicator", "Decision"]].values.tolist() == [["fin_photo_id", "Flag for rewording"]]


@pytest.mark.parametrize("mode", ["workshop", "analyst"])
def test_both_views_run_in_both_modes_and_ending_needs_a_confirmation(workshop_store, monkeypatch, mode):
    made = ws.create_workshop(app_store(workshop_store, monkeypatch), FACILITATOR, f"Both modes {mode}", builtin()[8:11])
    facilitator = page(workshop_store, monkeypatch, mode)
    assert facilitator.get("html") and any(b.label == "Create workshop" for b in facilitator.button)
    phone = page(workshop_store, monkeypatch, mode, code=made.join_code)
    assert phone.button_group(key="ws_matters_0") and phone.metric
    assert all("." not in m.value for m in phone.metric if m.value.endswith("%"))
    facilitator.selectbox(key="ws_running").set_value(made.id).run()
    click(facilitator, "End this workshop")
    assert not facilitator.exception
    assert not ws.find(facilitator.session_state["_context"].cursor(), made.join_code).closed  # asked first
    click(facilitator, "Yes, end it")
    assert ws.find(facilitator.session_state["_context"].cursor(), made.join_code).closed
    assert made.id in [w.id for w in ws.workshops(facilitator.session_state["_context"].cursor())]  # still listed
    phone.run()
    assert not phone.exception
    assert [i.value for i in phone.info] == ["This workshop has ended. Thank you for taking part."]
    assert not phone.button_group


def test_a_lab_candidate_goes_on_a_card_and_the_room_promotes_it(workshop_store, monkeypatch, reading_ease):
    candidate = CANDIDATE.model_copy(update={"id": "cand_ws_in_touch", "title": "Still in touch"})
    lab.create(app_store(workshop_store, monkeypatch), MANAGER, candidate, "Test facilitator")
    facilitator = page(workshop_store, monkeypatch, "workshop")
    assert "Still in touch (○ Candidate)" in facilitator.multiselect(key="ws_cards").options
    made = create_through_page(facilitator, "Candidate room", ["eet_neet_19_21", candidate.id])
    phone = page(workshop_store, monkeypatch, "analyst", code=made.join_code)
    click(phone, "Next card ▶")
    ctx = phone.session_state["_context"]
    expected = views.indicator_figures(ctx.cursor(), ctx.year, "workshop", indicators=[candidate])
    assert [m.value for m in phone.metric] == list(expected["display"])
    shown = shown_text(phone)  # plain words on a phone: no status badges, no "Recorded by workers"
    assert not [word for word in ("○ Candidate", "◆ Prototype", "■ Established", "Recorded by workers") if word in shown]
    facilitator.selectbox(key="ws_decision_card").set_value(1)
    facilitator.radio(key="ws_decision").set_value("promote")
    click(facilitator, "Record decision")
    assert ws.decisions(ctx.cursor(), made.id)[["workshop_id", "indicator_id", "decision"]].values.tolist() == [
        [made.id, candidate.id, "promote"]]
    assert [ind.status for ind in lab.saved(ctx.cursor()) if ind.id == candidate.id] == ["prototype"]
    for page_file, query in (("overview", {}), ("domain", {"domain": candidate.domain})):
        shown = AppTest.from_file(APP, default_timeout=60)
        shown.query_params.update(query)
        shown.switch_page(f"pages/{page_file}.py").run()
        captions = as_read(" ".join(c.value for c in shown.caption))
        assert "◆ Prototype" in captions and "from the workshop 'Candidate room'" in captions, page_file

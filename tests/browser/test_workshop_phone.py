"""A workshop round trip as people do it: the facilitator starts a workshop on a laptop, a care
leaver joins by the link on a phone-sized screen, answers a card, and the facilitator's live
results show that answer. Screenshots of both screens are kept in tests/artifacts/."""
from __future__ import annotations

import re

import pytest

import streamlit_page as sp
from cl_metrics.indicators import builtin


def start_workshop(page, app_url: str, name: str) -> str:
    """Create a workshop with the first two built-in indicators as its cards; its join code."""
    sp.visit(page, app_url, "workshop", "analyst")
    if page.get_by_role("button", name="Create workshop").count() == 0:
        pytest.skip("pages/workshop.py has no 'Create workshop' form yet")
    page.get_by_label("Workshop name").fill(name)
    cards = page.get_by_test_id("stMultiSelect").filter(has_text="Cards to discuss")
    for indicator in builtin()[:2]:
        cards.locator("input").fill(indicator.title)
        page.get_by_role("option", name=re.compile(re.escape(indicator.title))).first.click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Create workshop").click()
    sp.settle(page)
    heading = page.get_by_role("heading", name=re.compile("Join code")).inner_text()
    return re.search(r"Join code:\s*([A-Z0-9]+)", heading).group(1)


def test_participant_joins_on_a_phone_and_the_facilitator_sees_the_answer(page, phone, app_url, artifacts):
    code = start_workshop(page, app_url, "Browser round trip")

    sp.visit(phone, app_url, "workshop", "workshop", code=code)
    sp.screenshot(phone, artifacts, "workshop-phone-card")
    assert phone.locator("h1").first.inner_text() == "Browser round trip"
    assert phone.get_by_text(re.compile(r"^Card 1 of 2\.")).is_visible()
    assert sp.accessibility_problems(phone) == []
    phone.get_by_text("5 · Very much").click()
    phone.get_by_text("Yes, fair and clear").click()
    phone.get_by_label("Your words: a comment, or how you would say it").fill("Ask us how often we move.")
    phone.get_by_role("button", name="Send my answer").click()
    sp.settle(phone)
    thanks = "Thank you, your answer is saved."
    assert phone.get_by_test_id("stToastText").get_by_text(thanks).is_visible()  # on screen wherever it is scrolled
    assert phone.get_by_test_id("stAlertContentSuccess").get_by_text(thanks).count() == 1
    assert phone.get_by_text(re.compile(r"^Card 2 of 2\.")).is_visible()
    sp.screenshot(phone, artifacts, "workshop-phone-answered")

    answered = page.get_by_test_id("stMetric").filter(has_text="People who have answered")
    answered.get_by_test_id("stMetricValue").filter(has_text="1").wait_for(timeout=20_000)  # live, every 3 s
    page.get_by_text("Ask us how often we move.").first.wait_for(state="attached")  # a grid cell: drawn on canvas
    sp.settle(page)
    assert sp.exceptions(page) == []
    sp.screenshot(page, artifacts, "workshop-facilitator-results")

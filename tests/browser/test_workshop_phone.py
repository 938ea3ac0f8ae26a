"""A workshop in a real room, in a real browser: the facilitator starts a workshop on a laptop, care
leavers join by the link on phone-sized screens (390 x 844), answer, reload, come back and finish,
and the projector shows the room's answers once three have answered a card and a comment once the
facilitator approves it. Screenshots are kept in tests/artifacts/."""
from __future__ import annotations

import re
import time


import streamlit_page as sp
from cl_metrics.indicators import builtin

PHONE_HEIGHT = 844
# What a thumb must be able to hit, and what a phone must be able to read (WCAG 2.5.5, and GOV.UK's 16 px).
MIN_TARGET, MIN_FONT = 44, 16
TARGET_SELECTOR = ", ".join(f'[data-testid="stMain"] {e}' for e in ("button", '[role="radio"]', "summary", "input",
                                                                       "textarea"))
TARGETS = """() => [...document.querySelectorAll('""" + TARGET_SELECTOR.replace("'", "\\'") + """')]
    .filter(e => e.offsetParent !== null)
    .map(e => { const r = e.getBoundingClientRect();
        return [e.innerText || e.getAttribute('aria-label') || e.tagName, Math.round(r.width), Math.round(r.height)]; })"""
FONTS = """() => [...document.querySelectorAll('[data-testid="stMain"] p, [data-testid="stMain"] label')]
    .filter(e => e.offsetParent !== null && e.innerText.trim())
    .map(e => [e.innerText.slice(0, 30), parseFloat(getComputedStyle(e).fontSize)])"""


PAUSED = "Live updates are paused while the start form is open."


def start_workshop(page, app_url: str, name: str, cards: int = 2) -> str:
    """Create a workshop with the first built-in indicators as its cards; its join code."""
    sp.visit(page, app_url, "workshop", "analyst")
    if not page.get_by_label("Workshop name").is_visible():  # other workshops exist: the form is folded away
        page.get_by_text("Start a workshop").click()
        sp.settle(page)
        assert page.get_by_text(PAUSED).is_visible()  # a redraw would close the card list as it is typed in
    page.get_by_label("Workshop name").fill(name)
    chooser = page.get_by_test_id("stMultiSelect").filter(has_text="Cards to discuss")
    for indicator in builtin()[:cards]:  # typed and chosen with Enter, as a keyboard user does
        chooser.locator("input").fill(indicator.title)
        page.get_by_role("option", name=re.compile(re.escape(indicator.title))).first.wait_for()
        page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Create workshop").click()
    sp.settle(page)
    made = page.get_by_test_id("stAlertContentSuccess").filter(has_text=f"Workshop '{name}' is ready")
    if not made.count():  # never read another workshop's code: say what the page said instead
        sp.screenshot(page, sp.ROOT / "tests" / "artifacts", "workshop-not-created")
        raise AssertionError(f"workshop {name!r} not created: {page.locator('[data-testid=stMain]').inner_text()[:800]}")
    assert page.get_by_text(PAUSED).count() == 0  # the form folds away and the live results refresh again
    return re.search(r"join code ([A-Z0-9]+)", made.inner_text()).group(1)


def join(phone, app_url: str, code: str) -> None:
    phone.goto(f"{app_url}/workshop?code={code}")
    sp.settle(phone)


def answer(phone, matters: str, fair: str, words: str = "") -> None:
    phone.get_by_role("radio", name=matters, exact=True).click()
    phone.get_by_role("radio", name=fair, exact=True).click()
    if words:
        phone.get_by_text("Add your own words").click()
        phone.get_by_label("A comment, or how you would say it").fill(words)
    phone.get_by_role("button", name=re.compile("Send my answer|Change my answer")).click()
    sp.settle(phone)
    assert sp.exceptions(phone) == [] and phone.get_by_text(re.compile("Saved. Thank you!|answered every card")).count()


def wait_until(page, holds, what: str, seconds: float = 40) -> None:
    """Wait for the page's text to show `what` (a screen that refreshes every 3 s, on a busy machine)."""
    deadline = time.monotonic() + seconds
    while not holds(page.locator("body").inner_text()):
        if time.monotonic() > deadline:
            page.screenshot(path=str(sp.ROOT / "tests" / "artifacts" / "workshop-never-showed.png"))
            raise AssertionError(f"never showed {what}: {page.locator('body').inner_text()[:600]}")
        page.wait_for_timeout(500)


def card_number(phone) -> str:
    return phone.get_by_text(re.compile(r"^Card \d+ of \d+")).inner_text().split(" ·")[0]


def answered(page) -> str:
    metric = page.get_by_test_id("stMetric").filter(has_text="People who have answered")
    return metric.get_by_test_id("stMetricValue").inner_text()


def test_a_phone_joins_answers_reloads_resumes_and_finishes(page, phone, app_url, artifacts):
    code = start_workshop(page, app_url, "Phone round trip")
    join(phone, app_url, code)
    assert phone.locator("h1").first.inner_text() == "Phone round trip" and card_number(phone) == "Card 1 of 2"
    sp.screenshot(phone, artifacts, "workshop-phone-card")
    answer(phone, "Very much", "Fair and clear", "Ask us how often we move.")
    assert card_number(phone) == "Card 2 of 2"
    assert phone.get_by_test_id("stAlertContentSuccess").get_by_text("Saved. Thank you!").is_visible()
    title_top = phone.locator("h1").first.bounding_box()["y"]
    assert 0 <= title_top < 100  # the next card starts at the top of the screen, not scrolled down

    phone.reload()  # the same phone, the same person: back at its next card
    sp.settle(phone)
    assert card_number(phone) == "Card 2 of 2"
    phone.get_by_role("button", name="◀ Previous card").click()
    sp.settle(phone)
    assert phone.get_by_role("radio", name="Very much", exact=True).get_attribute("aria-checked") == "true"
    assert phone.get_by_role("button", name="Change my answer").is_visible()
    answer(phone, "A lot", "Fair and clear")  # changed, not added
    answer(phone, "Somewhat", "Not sure")
    assert phone.get_by_text("Thank you, you have answered every card.").is_visible()
    assert phone.get_by_text("What happens next").is_visible()
    sp.screenshot(phone, artifacts, "workshop-phone-finished")
    assert sp.accessibility_problems(phone) == []

    page.get_by_text("Phone round trip").first.wait_for(state="attached")
    sp.settle(page, extra_ms=3500)  # the live results refresh every 3 s
    assert answered(page) == "1"  # one phone, however often it reloaded and changed its mind
    assert sp.exceptions(page) == []


def test_a_phone_card_fits_one_thumb_and_one_screen(phone, page, app_url, artifacts):
    code = start_workshop(page, app_url, "One thumb", cards=3)
    join(phone, app_url, code)
    send = phone.get_by_role("button", name="Send my answer").bounding_box()
    assert send["y"] + send["height"] <= PHONE_HEIGHT, "the card and its send button need no scrolling"
    small = [t for t in phone.evaluate(TARGETS) if t[1] < MIN_TARGET or t[2] < MIN_TARGET]
    assert small == [], f"tap targets under {MIN_TARGET} px"
    tiny = [f for f in phone.evaluate(FONTS) if f[1] < MIN_FONT]
    assert tiny == [], f"text under {MIN_FONT} px"
    words = phone.locator("body").inner_text()
    assert not [w for w in ("Prototype", "Candidate", "Established", "Recorded by workers") if w in words]
    assert sp.accessibility_problems(phone) == []


def test_the_projector_shows_a_card_from_three_answers_and_a_comment_once_approved(page, phone, browser, app_url,
                                                                                 artifacts):
    code = start_workshop(page, app_url, "Projector room", cards=1)
    card = builtin()[0].title
    screen = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB").new_page()
    screen.goto(f"{app_url}/projector?room={code}")
    sp.settle(screen)
    assert screen.get_by_test_id("stSidebar").count() == 0 and screen.get_by_test_id("stSidebarNav").count() == 0
    assert screen.locator(".cl-code").inner_text() == code and screen.get_by_test_id("stImage").count() == 1
    phones = [phone] + [browser.new_context(viewport={"width": 390, "height": 844}).new_page() for _ in range(2)]
    for number, one in enumerate(phones, start=1):
        join(one, app_url, code)
        answer(one, "Very much", "Fair and clear", f"Comment from phone {number}")
        so_far = f"waiting for 3 answers ({number} so far)"
        if number < 3:
            wait_until(screen, lambda text: so_far in text, so_far)
        else:  # the third answer puts the card's answers on the screen
            wait_until(screen, lambda text: "waiting for 3 answers" not in text, "the card's answers")
    assert screen.get_by_text("Comment from phone").count() == 0  # nothing unapproved on the room's screen
    assert screen.get_by_text("Comments appear here once the facilitator has read them.").is_visible()

    page.reload()
    sp.settle(page)
    first = page.get_by_test_id("stCheckbox").filter(has_text="Show on screen").first
    first.click()
    sp.settle(page)
    wait_until(screen, lambda text: re.search(r"Comment from phone \d", text), "the approved comment")
    sp.settle(screen)
    assert len(re.findall(r"Comment from phone \d", screen.locator("body").inner_text())) == 1
    screen.get_by_role("heading", name=card).wait_for(state="visible")  # the screen redraws every 3 s
    assert sp.exceptions(screen) == []
    sp.screenshot(screen, artifacts, "workshop-projector")
    assert sp.accessibility_problems(screen) == []
    sp.screenshot(page, artifacts, "workshop-facilitator-results")

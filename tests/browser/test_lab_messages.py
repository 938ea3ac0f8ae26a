"""The lab's messages where the person is looking (issue 16): after Save with no name, Retire, Bring back
and Import, the message is on screen, just below the button, on a laptop (1280 x 800) and on a phone
(390 x 844). Screenshots of each are kept in tests/artifacts/lab-*.png."""
from __future__ import annotations

import json

import pytest

import streamlit_page as sp
from cl_metrics.indicators import by_id
from synthetic.generate import write_store

LAPTOP = {"width": 1280, "height": 800}
SOURCE = by_id("eet_neet_19_21")  # a built-in to start from: a form that is complete from the first click


@pytest.fixture()
def lab_app(browser_available, tmp_path_factory):
    """The app on a store of its own for each screen, since the test saves, retires and imports candidates."""
    folder = tmp_path_factory.mktemp("lab")
    write_store(folder / "lab.duckdb", people=600, seed=5)
    with sp.streamlit_server(folder / "lab.duckdb", folder / "streamlit.log") as url:
        yield url


@pytest.fixture(params=["page", "phone"])
def screen(request):
    """A laptop's window (the suite's page, made 1280 x 800) or the suite's phone (390 x 844)."""
    opened = request.getfixturevalue(request.param)
    if request.param == "page":
        opened.set_viewport_size(LAPTOP)
    return {"page": "desktop", "phone": "phone"}[request.param], opened


def message_below(page, button_key: str):
    """The message a button caused: it must be on screen, whole, below the button's top."""
    message = page.locator(f".st-key-said_{button_key}")
    message.wait_for()
    box, size = message.bounding_box(), page.viewport_size
    assert box is not None
    assert 0 <= box["y"] and box["y"] + box["height"] <= size["height"], (button_key, box, size)
    assert 0 <= box["x"] and box["x"] + box["width"] <= size["width"], (button_key, box, size)
    return message.inner_text().replace("\u2060", "")


def click(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    sp.settle(page)


def test_each_message_is_on_screen_after_the_click(screen, lab_app, artifacts):
    kind, page = screen
    sp.visit(page, lab_app, "lab", "analyst")
    start = page.get_by_test_id("stSelectbox").filter(has_text="Start from")
    start.click()
    start.locator("input").fill(SOURCE.title)  # the list shows a few at a time: narrow it as a person does
    page.get_by_role("option", name=f"Copy of built-in: {SOURCE.title}", exact=True).click()
    sp.settle(page)

    click(page, "Save as a new candidate")  # nobody has said who they are yet
    assert "Your name: needed, so others know who defined it" in message_below(page, "lab_save")
    assert sp.exceptions(page) == []
    sp.screenshot(page, artifacts, f"lab-{kind}-save-without-name")

    # Another domain reorders the field pickers; the rows keep their fields through the next click.
    domain = page.get_by_test_id("stSelectbox").filter(has_text="Domain")
    domain.click()
    domain.locator("input").fill("Wellbeing")
    page.get_by_role("option", name="Wellbeing", exact=True).click()
    sp.settle(page)
    click(page, "Save as a new candidate")
    assert "Your name: needed" in message_below(page, "lab_save")
    fields = [box.locator("input").get_attribute("value")
              for box in page.get_by_test_id("stSelectbox").filter(has_text="Field").all()]
    assert any("Main activity (education, employment, training)" in f for f in fields), fields

    page.get_by_label("Your name (saved with what you save or import)").fill(f"Sam on a {kind}")
    page.keyboard.press("Tab")  # the text box sends its value when it loses focus
    sp.settle(page)
    click(page, "Save as a new candidate")
    assert message_below(page, "lab_save").startswith(f"Saved '{SOURCE.title}'")

    click(page, "Retire")
    assert message_below(page, "lab_retire").startswith(f"Retired '{SOURCE.title}'")
    assert page.get_by_role("textbox", name="Title", exact=True).input_value() == SOURCE.title  # the form is kept
    sp.screenshot(page, artifacts, f"lab-{kind}-retired")
    click(page, "Bring back")  # the next click after Retire once found the form cleared
    assert message_below(page, "lab_retire").startswith(f"Brought back '{SOURCE.title}'")
    assert page.get_by_role("textbox", name="Title", exact=True).input_value() == SOURCE.title

    page.get_by_text("Share candidates with another authority").click()
    sp.settle(page)
    assert page.get_by_text("Import a JSON or TOML file of candidates").is_visible()
    shared = {**json.loads(SOURCE.model_dump_json(exclude_none=True)), "id": f"eet_shared_from_a_{kind}",
              "status": "candidate", "title": f"Shared from a {kind}"}
    page.locator('input[type="file"]').first.set_input_files(files=[{
        "name": "export2.json", "mimeType": "application/json",
        "buffer": json.dumps({"indicator": [shared]}).encode()}])
    sp.settle(page)
    click(page, "Import every candidate in the file")
    assert message_below(page, "lab_import") == (f"Added 1 candidate from export2.json: Shared from a {kind} "
                                                 f"(eet_shared_from_a_{kind}).")
    assert sp.exceptions(page) == []
    # Export offers every candidate in use unless some are chosen: the saved one and the imported one.
    assert page.get_by_role("button", name="Export 2 candidates (JSON)").is_visible()
    sp.screenshot(page, artifacts, f"lab-{kind}-imported")

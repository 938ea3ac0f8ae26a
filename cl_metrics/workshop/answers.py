"""Participants' answers: one anonymous token per phone, one answer per card (a second replaces the
first), what a phone sent read back so it can resume and change it, and the facilitator's approval
of comments before the room sees them.

Text from people is length-limited (refused with a message when too long) and stored as plain text.
Comments are opinions, not records, but a young person may still write a name, a phone number or an
e-mail address: `personal_details` flags those for the facilitator, and nothing is shown to the room
until approved.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from functools import cache

from faker.providers.person.en_GB import Provider as BritishNames
from faker.providers.person.en_US import Provider as AmericanNames

from cl_metrics.access import Principal, require
from cl_metrics.session import OpenStore

TEXT_LIMIT = 500
MATTERS = {1: "Not at all", 2: "A little", 3: "Somewhat", 4: "A lot", 5: "Very much"}
FAIR = {"yes": "Yes, fair and clear", "not_sure": "Not sure", "no": "No, it's unfair",
        "reword": "Fair, but say it differently"}
TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")  # also what a cookie may carry
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# What a facilitator is asked to check before a comment reaches the room (false alarms are cheap).
_PHONE = re.compile(r"(?<!\d)(?:\+?44\s?|0)(?:\d[\s().-]?){9,10}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
_WORD = re.compile(r"\b[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b")


class WorkshopError(ValueError):
    """A request the workshop refuses, with a message to show the person who made it."""


@dataclass(frozen=True)
class Answer:
    matters: int | None
    fair: str | None
    comment: str | None
    missing: str | None


def clean_text(text: str | None, limit: int = TEXT_LIMIT, what: str = "Your words") -> str | None:
    """Plain text without control characters (None if empty); refused, with a message, if too long."""
    text = _CONTROL.sub("", text or "").strip()
    if len(text) > limit:
        raise WorkshopError(f"{what} can be up to {limit} characters long; this has {len(text)}. Please shorten it.")
    return text or None


def new_participant() -> str:
    """A random token standing for one phone: no name, nothing to link back to a person."""
    return secrets.token_urlsafe(12)


@cache
def _first_names() -> frozenset[str]:
    names = set()
    for provider in (BritishNames, AmericanNames):
        for group in (provider.first_names_male, provider.first_names_female):
            names.update(group)
    return frozenset(names)


def personal_details(text: str | None) -> list[str]:
    """What in a comment may identify someone: a phone number, an e-mail address, a postcode, a name."""
    if not text:
        return []
    found = []
    if _PHONE.search(text):
        found.append("a phone number")
    if _EMAIL.search(text):
        found.append("an e-mail address")
    if _POSTCODE.search(text):
        found.append("a postcode")
    if any(word in _first_names() for word in _WORD.findall(text)):
        found.append("a name")
    return found


def submit(opened: OpenStore, workshop_id: str, participant: str, indicator_id: str, matters: int | None = None,
           fair: str | None = None, comment: str | None = None, missing: str | None = None) -> None:
    """Save one participant's answer to one card, replacing any earlier answer of theirs to it."""
    if matters is not None and matters not in MATTERS:
        raise WorkshopError("Choose how much this matters on the 1 to 5 scale.")
    if fair is not None and fair not in FAIR:
        raise WorkshopError("Choose one of the answers about whether it is fair.")
    if not participant or not TOKEN.fullmatch(participant):
        raise WorkshopError("This phone's session has no participant token; reload the page.")
    comment = clean_text(comment, what="Your comment")
    missing = clean_text(missing, what="Your 'what's missing' answer")
    if matters is None and fair is None and comment is None and missing is None:
        raise WorkshopError("Choose an answer or write something first.")
    opened.batched(lambda cur: _save_answer(cur, workshop_id, participant, indicator_id,
                                            [matters, fair, comment, missing]))


def _save_answer(cur, workshop_id: str, participant: str, indicator_id: str, answers: list) -> None:
    """The write itself, inside a (group) transaction: replaces the answer if the workshop is open and
    the card is one of its own (two statements, as forty phones may be waiting on this lock). A changed
    answer is a new row, so its words wait for the facilitator's approval again."""
    key = [workshop_id, participant, indicator_id]
    cur.execute("DELETE FROM indicator_feedback WHERE workshop_id = ? AND participant = ? AND indicator_id = ?", key)
    saved = cur.execute(
        "INSERT INTO indicator_feedback (workshop_id, participant, indicator_id, matters, fair, comment, missing, "
        "created_at) SELECT ?, ?, ?, ?, ?, ?, ?, now() FROM workshop "
        "WHERE id = ? AND NOT closed AND list_contains(indicator_ids, ?)",
        [*key, *answers, workshop_id, indicator_id]).fetchone()[0]
    if not saved:  # say why; raising rolls the delete back with the rest of the transaction
        row = cur.execute("SELECT closed FROM workshop WHERE id = ?", [workshop_id]).fetchone()
        if row is None or row[0]:
            raise WorkshopError("This workshop has ended, so answers are no longer saved.")
        raise WorkshopError("That card is not part of this workshop.")


def answers_of(con, workshop_id: str, participant: str) -> dict[str, Answer]:
    """What one phone has sent, card by card: so it can resume, and see and change its answers."""
    rows = con.execute("SELECT indicator_id, matters, fair, comment, missing FROM indicator_feedback "
                       "WHERE workshop_id = ? AND participant = ?", [workshop_id, participant]).fetchall()
    return {row[0]: Answer(*row[1:]) for row in rows}


def next_card(card_ids: list[str], answered: set[str], after: int = -1) -> int | None:
    """The first card after `after` this phone has not answered, else the first unanswered one at all;
    None when every card has an answer (the phone shows its finished screen)."""
    order = list(range(after + 1, len(card_ids))) + list(range(0, after + 1))
    return next((i for i in order if card_ids[i] not in answered), None)


def set_approved(opened: OpenStore, actor: Principal, workshop_id: str, feedback_ids: list[int],
                 approved: bool = True) -> None:
    """The facilitator lets comments reach the room (or takes them back)."""
    require(actor, "run_workshops")
    if not feedback_ids:
        return
    with opened.writing() as cur:
        cur.execute("UPDATE indicator_feedback SET approved = ? WHERE workshop_id = ? "
                    "AND list_contains(CAST(? AS BIGINT[]), id)", [approved, workshop_id, feedback_ids])

"""Workshops as the store keeps them: join codes, the cards they discuss, opening, ending, deleting,
and the decisions a facilitator records.

Every write runs in a transaction under the app's write lock (OpenStore.writing). A workshop keeps
the threshold it was made with, so the projector and every phone hide the same groups.
"""
from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from cl_metrics import lab
from cl_metrics.access import Principal, require
from cl_metrics.disclosure import DEFAULT_THRESHOLD
from cl_metrics.domains import domain
from cl_metrics.indicators import DeclarationError, Indicator, builtin
from cl_metrics.session import OpenStore
from cl_metrics.views import describe, indicator_figures
from cl_metrics.workshop.answers import TEXT_LIMIT, WorkshopError, clean_text

# No 0/O, 1/I/L: a code read off a projector and typed on a phone must not be misread.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 5
NAME_LIMIT = 80
DECISIONS = {"promote": "Promote to prototype", "reword": "Flag for rewording"}
# Names appear in page titles (which render markdown): plain words only, no links, images or markup.
_PLAIN_NAME = re.compile(r"[\w .,:;'’&()/?!-]+")


@dataclass(frozen=True)
class Workshop:
    id: str
    join_code: str
    name: str
    indicator_ids: tuple[str, ...]
    created_at: dt.datetime
    closed: bool
    threshold: int = DEFAULT_THRESHOLD  # fixed when the workshop is made: the projector and every phone hide alike

    def label(self) -> str:
        return f"{self.name} (code {self.join_code}{', ended' if self.closed else ''})"

    def hiding(self) -> str:
        """What the facilitator is told about the workshop's threshold."""
        return (f"Cards and phones in this workshop hide groups of fewer than {self.threshold} young people "
                "(the sidebar's threshold when the workshop was made).")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    return re.sub(r"[\s-]", "", text or "").upper()


def discussable(con, include_retired: bool = False) -> tuple[Indicator, ...]:
    """Indicators a workshop can put on cards: built-ins and the lab's saved candidates.

    If a saved candidate no longer validates (the lab names it), the room carries on with the
    built-ins rather than every phone showing an error."""
    try:
        return (*builtin(), *lab.saved(con, include_retired=include_retired))
    except DeclarationError:
        return builtin()


def _workshop(row) -> Workshop:
    return Workshop(row[0], row[1], row[2], tuple(row[3]), row[4], bool(row[5]), max(row[6], DEFAULT_THRESHOLD))


_SELECT = "SELECT id, join_code, name, indicator_ids, created_at, closed, threshold FROM workshop"


def create_workshop(opened: OpenStore, actor: Principal, name: str, indicators: Sequence[Indicator],
                    threshold: int = DEFAULT_THRESHOLD) -> Workshop:
    """A new workshop with a join code no other workshop in this store has, hiding groups smaller
    than `threshold` (never below the default) on every card and in the room's results."""
    require(actor, "run_workshops")
    name = clean_text(name, NAME_LIMIT, "The name")
    ids = list(dict.fromkeys(ind.id for ind in indicators))
    if not name:
        raise WorkshopError("Give the workshop a name.")
    if not _PLAIN_NAME.fullmatch(name):
        raise WorkshopError("Use letters, numbers, spaces and simple punctuation in the name.")
    if not ids:
        raise WorkshopError("Choose at least one indicator to discuss.")
    with opened.writing() as cur:
        used = {r[0] for r in cur.execute("SELECT join_code FROM workshop").fetchall()}
        code = new_code()
        while code in used:
            code = new_code()
        workshop_id = uuid.uuid4().hex
        cur.execute("INSERT INTO workshop VALUES (?, ?, ?, ?, now(), false, ?)",
                    [workshop_id, code, name, ids, max(int(threshold), DEFAULT_THRESHOLD)])
        return _workshop(cur.execute(f"{_SELECT} WHERE id = ?", [workshop_id]).fetchone())


def find(con, code: str) -> Workshop | None:
    row = con.execute(f"{_SELECT} WHERE join_code = ?", [normalise_code(code)]).fetchone()
    return _workshop(row) if row else None


def workshops(con) -> list[Workshop]:
    """Every workshop this store keeps: running ones first, then ended ones, newest first in each."""
    return [_workshop(r) for r in con.execute(f"{_SELECT} ORDER BY closed, created_at DESC, name").fetchall()]


def close_workshop(opened: OpenStore, actor: Principal, workshop_id: str) -> None:
    """End a workshop: phones stop taking answers; its results, comments, decisions and cards stay."""
    require(actor, "run_workshops")
    with opened.writing() as cur:
        cur.execute("UPDATE workshop SET closed = true WHERE id = ?", [workshop_id])


def delete_workshop(opened: OpenStore, actor: Principal, workshop_id: str) -> None:
    """Remove a workshop with its answers and decisions, in one transaction: an analyst's choice only."""
    require(actor, "delete_workshops")
    with opened.writing() as cur:
        for table, column in (("indicator_feedback", "workshop_id"), ("indicator_decision", "workshop_id"),
                              ("workshop", "id")):
            cur.execute(f"DELETE FROM {table} WHERE {column} = ?", [workshop_id])  # names are ours


def cards(con, workshop: Workshop, year: int | None) -> pd.DataFrame:
    """The workshop's cards in its order, with workshop-mode figures at the workshop's threshold
    whoever is looking (never a record); a candidate's figure is also checked for differencing
    against every built-in and saved candidate, retired ones too."""
    known = {ind.id: ind for ind in discussable(con, include_retired=True)}
    chosen = [known[i] for i in workshop.indicator_ids if i in known]
    if not chosen:
        raise WorkshopError("None of this workshop's indicators exist any more.")
    if year is None:
        table = describe(chosen).assign(display="no data", national="")
    else:
        table = indicator_figures(con, year, "workshop", workshop.threshold, chosen, list(known.values()))
    table["domain_name"] = [domain(d).name for d in table["domain"]]
    table["indicator"] = chosen
    return table


def record_decision(opened: OpenStore, actor: Principal, workshop: Workshop, indicator: Indicator, decision: str | None,
                    note: str | None = None) -> None:
    """The facilitator's decision about one card, recorded with the workshop that made it."""
    require(actor, "run_workshops")
    if decision not in DECISIONS:
        raise WorkshopError("Choose a decision first." if decision is None else f"Unknown decision '{decision}'.")
    if indicator.id not in workshop.indicator_ids:
        raise WorkshopError("That indicator is not one of this workshop's cards.")
    if decision == "promote" and indicator.status != "candidate":
        raise WorkshopError(f"Only a candidate can be promoted; this one is already {indicator.status}.")
    note = clean_text(note, TEXT_LIMIT, "The note")
    with opened.writing() as cur:
        cur.execute("INSERT INTO indicator_decision VALUES (?, ?, ?, ?, now())",
                    [workshop.id, indicator.id, decision, note])
        if decision == "promote":  # the decision and the status change commit together
            lab.promote_in(cur, indicator.id)


def decisions(con, workshop_id: str | None = None) -> pd.DataFrame:
    """Recorded decisions, newest first, with the workshop's name and code (all workshops if None)."""
    made = con.execute(
        "SELECT d.workshop_id, w.name AS workshop, w.join_code, d.indicator_id, d.decision, d.note, d.decided_at "
        "FROM indicator_decision d JOIN workshop w ON w.id = d.workshop_id "
        "WHERE ? IS NULL OR d.workshop_id = ? ORDER BY d.decided_at DESC", [workshop_id, workshop_id]).df()
    return made.assign(decision_label=made["decision"].map(DECISIONS))


def decision_table(con, workshop_id: str) -> pd.DataFrame:
    """A workshop's decisions as the facilitator reads them."""
    made = decisions(con, workshop_id)[["indicator_id", "decision_label", "note", "decided_at"]]
    return made.set_axis(["Indicator", "Decision", "Note", "Decided at"], axis=1)

"""Co-design workshops: join codes, participants' answers, the room's results, facilitator decisions.

Every write takes the app's `OpenStore` and runs in a transaction under the process-wide write
lock (answers through `OpenStore.batched`, a group commit), so many phones answering at once
through one Streamlit server never interleave a half-written answer. A participant is a random token, never a name; a second
answer to the same card replaces the first (one person, one voice per card). Text from people is
length-limited (refused with a message when too long), stored as plain text, and only ever shown
escaped: pages show it in dataframes, never as markdown or HTML; the printable cards escape it here.
"""
from __future__ import annotations

import datetime as dt
import html
import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt
import pandas as pd

from cl_metrics import lab, memo
from cl_metrics.access import Principal, mode_for, require
from cl_metrics.charts import style
from cl_metrics.disclosure import DEFAULT_THRESHOLD, Mode, count_text, display
from cl_metrics.domains import domain
from cl_metrics.indicators import DeclarationError, Indicator, builtin
from cl_metrics.session import OpenStore
from cl_metrics.views import STATUS_LABELS, describe, indicator_figures
from cl_metrics.text import plain

# No 0/O, 1/I/L: a code read off a projector and typed on a phone must not be misread.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 5
TEXT_LIMIT = 500
NAME_LIMIT = 80
MATTERS = {1: "Not at all", 2: "A little", 3: "Somewhat", 4: "A lot", 5: "Very much"}
FAIR = {"yes": "Yes, fair and clear", "not_sure": "Not sure", "no": "No, it's unfair",
        "reword": "Fair, but say it differently"}
AVERAGE = "Matters: average of 1 to 5"
DECISIONS = {"promote": "Promote to prototype", "reword": "Flag for rewording"}
# Okabe-Ito, ordered from "no" to "yes" so the scale reads as a scale without relying on colour.
MATTERS_COLOURS = ["#D55E00", "#E69F00", "#999999", "#56B4E9", "#0072B2"]
FAIR_COLOURS = ["#0072B2", "#999999", "#D55E00", "#E69F00"]
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Names appear in page titles (which render markdown): plain words only, no links, images or markup.
_PLAIN_NAME = re.compile(r"[\w .,:;'’&()/?!-]+")


class WorkshopError(ValueError):
    """A request the workshop refuses, with a message to show the person who made it."""


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
        return f"{self.name} (code {self.join_code})"

    def hiding(self) -> str:
        """What the facilitator is told about the workshop's threshold."""
        return (f"Cards and phones in this workshop hide groups of fewer than {self.threshold} young people "
                "(the sidebar's threshold when the workshop was made).")


@dataclass(frozen=True)
class Results:
    summary: pd.DataFrame       # one row per card: Answers ("12", "fewer than 5"), average, counts per answer
    distribution: pd.DataFrame  # long: card, question, answer, count, for charts (visible cards only)
    comments: pd.DataFrame      # Card, Comment, What's missing: never a participant token
    participants: int           # how many phones have answered at least one card
    participants_display: str   # that count as a screen may show it ("fewer than 5" in workshop mode)


def clean_text(text: str | None, limit: int = TEXT_LIMIT, what: str = "Your words") -> str | None:
    """Plain text without control characters (None if empty); refused, with a message, if too long."""
    text = _CONTROL.sub("", text or "").strip()
    if len(text) > limit:
        raise WorkshopError(f"{what} can be up to {limit} characters long; this has {len(text)}. Please shorten it.")
    return text or None


def new_participant() -> str:
    """A random token standing for one phone's session: no name, nothing to link back to a person."""
    return secrets.token_urlsafe(12)


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
    """Open workshops, newest first."""
    return [_workshop(r) for r in con.execute(f"{_SELECT} WHERE NOT closed ORDER BY created_at DESC, name").fetchall()]


def close_workshop(opened: OpenStore, actor: Principal, workshop_id: str) -> None:
    require(actor, "run_workshops")
    with opened.writing() as cur:
        cur.execute("UPDATE workshop SET closed = true WHERE id = ?", [workshop_id])


def submit(opened: OpenStore, workshop_id: str, participant: str, indicator_id: str, matters: int | None = None,
           fair: str | None = None, comment: str | None = None, missing: str | None = None) -> None:
    """Save one participant's answer to one card, replacing any earlier answer of theirs to it."""
    if matters is not None and matters not in MATTERS:
        raise WorkshopError("Choose how much this matters on the 1 to 5 scale.")
    if fair is not None and fair not in FAIR:
        raise WorkshopError("Choose one of the answers about whether it is fair.")
    if not participant or len(participant) > 64:
        raise WorkshopError("This phone's session has no participant token; reload the page.")
    comment = clean_text(comment, what="Your comment")
    missing = clean_text(missing, what="Your 'what's missing' answer")
    if matters is None and fair is None and comment is None and missing is None:
        raise WorkshopError("Choose an answer or write something first.")
    opened.batched(lambda cur: _save_answer(cur, workshop_id, participant, indicator_id,
                                            [matters, fair, comment, missing]))


def _save_answer(cur, workshop_id: str, participant: str, indicator_id: str, answers: list) -> None:
    """The write itself, inside a (group) transaction: replaces the answer if the workshop is open and
    the card is one of its own (two statements, as forty phones may be waiting on this lock)."""
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


def answers_version(con, _actor, workshop: Workshop, *_) -> tuple:
    """Changes whenever an answer to the workshop is saved (a replaced answer is a new row)."""
    return tuple(con.execute("SELECT max(id), count(*) FROM indicator_feedback WHERE workshop_id = ?",
                             [workshop.id]).fetchone())


@memo.per_version(answers_version)  # re-read every few seconds by each screen showing the room
def results(con, actor: Principal, workshop: Workshop, titles: dict[str, str], mode: Mode = "workshop") -> Results:
    """The room's answers per card. In workshop mode a card's answers stay hidden until the workshop's
    threshold of people have answered it, so nobody's single vote can be picked out on the projector;
    after that the counts are shown as they are (a room's opinions, not anyone's record). Analyst mode
    (exact counts) only for an analyst."""
    require(actor, "run_workshops")
    mode = mode_for(actor, mode)
    threshold = workshop.threshold
    counts = _answer_counts(con, workshop.id)
    rows, long = [], []
    for indicator_id in workshop.indicator_ids:
        count, mean, *answered = counts.get(indicator_id, (0, None, *[0] * (len(MATTERS) + len(FAIR))))
        title = titles.get(indicator_id, indicator_id)
        hidden = mode == "workshop" and 0 < count < threshold
        matters = dict(zip(MATTERS.values(), answered[:len(MATTERS)]))
        fair = dict(zip(FAIR.values(), answered[len(MATTERS):]))
        rows.append({"indicator_id": indicator_id, "Card": title,
                     "Answers": display("count", count, "primary" if hidden else "", hidden, threshold, mode),
                     AVERAGE: None if hidden or mean is None else round(float(mean), 1),
                     **{f"Matters: {k}": None if hidden else v for k, v in matters.items()},
                     **{f"Fair: {k}": None if hidden else v for k, v in fair.items()}})
        if not hidden and count:
            long += [(title, "matters", k, v) for k, v in matters.items()]
            long += [(title, "fair", k, v) for k, v in fair.items()]
    summary = pd.DataFrame({column: _typed(column, [row[column] for row in rows]) for column in rows[0]}) \
        if rows else pd.DataFrame()
    said = con.execute("SELECT indicator_id, coalesce(comment, ''), coalesce(missing, '') FROM indicator_feedback "
                       "WHERE workshop_id = ? AND (comment IS NOT NULL OR missing IS NOT NULL) "
                       "ORDER BY created_at DESC, id DESC", [workshop.id]).fetchall()
    comments = pd.DataFrame([(titles.get(i, i), c, m) for i, c, m in said],
                            columns=["Card", "Comment", "What's missing"])
    people = con.execute("SELECT count(DISTINCT participant) FROM indicator_feedback WHERE workshop_id = ?",
                         [workshop.id]).fetchone()[0]
    return Results(summary, pd.DataFrame(long, columns=["card", "question", "answer", "count"]), comments, people,
                   count_text(people, threshold, mode))


def _typed(column: str, values: list) -> list | pd.api.extensions.ExtensionArray:
    """A summary column with its type set as it is built (nullable: hidden cards are blank)."""
    if column in ("indicator_id", "Card", "Answers"):
        return values
    return pd.array(values, dtype="Float64" if column == AVERAGE else "Int64")


def _answer_counts(con, workshop_id: str) -> dict[str, tuple]:
    """Per card: (answers, average 'matters', how many gave each answer...), counted in one SQL pass
    and handed over as plain tuples (pandas here held the interpreter lock while phones voted)."""
    matters = ["count(*) FILTER (WHERE matters = ?)"] * len(MATTERS)
    fair = ["count(*) FILTER (WHERE fair = ?)"] * len(FAIR)
    found = con.execute(
        f"SELECT indicator_id, count(*), avg(matters), {', '.join(matters + fair)} "
        "FROM indicator_feedback WHERE workshop_id = ? GROUP BY indicator_id",
        [*MATTERS, *FAIR, workshop_id]).fetchall()
    return {row[0]: row[1:] for row in found}


def answers_chart(distribution: pd.DataFrame, question: str) -> alt.Chart:
    """Stacked bars per card of one question's answers, in the scale's order, colour-blind safe."""
    labels = list(MATTERS.values()) if question == "matters" else list(FAIR.values())
    colours = MATTERS_COLOURS if question == "matters" else FAIR_COLOURS
    data = distribution[(distribution["question"] == question) & (distribution["count"] > 0)].assign(
        order=lambda f: f["answer"].map(labels.index))
    title = "Does this matter to you?" if question == "matters" else "Is it fair and worded right?"
    return style(alt.Chart(data).mark_bar(stroke="white", strokeWidth=1).encode(
        y=alt.Y("card:N", title=None, sort=None),
        x=alt.X("count:Q", title="Answers", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("answer:N", title=None, scale=alt.Scale(domain=labels, range=colours),
                        legend=alt.Legend(orient="bottom", columns=3, labelLimit=320)),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("card:N", title="Card"), alt.Tooltip("answer:N", title="Answer"),
                 alt.Tooltip("count:Q", title="Answers")]), title, height=alt.Step(34))


def results_summary(summary: pd.DataFrame) -> str:
    """One line beside the charts (Markdown, the card's title escaped): how many answered, and which card
    matters most to the room."""
    rated = summary.dropna(subset=[AVERAGE])
    if rated.empty:
        return "No card has enough answers to show yet."
    top = rated.loc[rated[AVERAGE].idxmax()]
    return (f"{len(rated)} of {len(summary)} cards have answers to show; the one that matters most to "
            f"the room is '{plain(top['Card'])}' (average {top[AVERAGE]:.1f} out of 5).")


def record_decision(opened: OpenStore, actor: Principal, workshop: Workshop, indicator: Indicator, decision: str,
                    note: str | None = None) -> None:
    """The facilitator's decision about one card, recorded with the workshop that made it."""
    require(actor, "run_workshops")
    if decision not in DECISIONS:
        raise WorkshopError(f"Unknown decision '{decision}'.")
    if indicator.id not in workshop.indicator_ids:
        raise WorkshopError("That indicator is not one of this workshop's cards.")
    if decision == "promote" and indicator.status != "candidate":
        raise WorkshopError(f"Only a candidate can be promoted; this one is already {indicator.status}.")
    note = clean_text(note, what="The note")
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


PRINT_STYLE = """
.cl-cards { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: #111; }
.cl-card { border: 2px solid #333; border-radius: 12px; padding: 24px; margin: 16px auto; max-width: 640px; }
.cl-card .cl-meta { font-size: 15px; color: #333; }
.cl-card h2 { font-size: 28px; margin: 8px 0; }
.cl-card .cl-question { font-size: 22px; }
.cl-card .cl-figure { font-size: 56px; font-weight: 700; margin: 12px 0 4px; }
.cl-card .cl-answer { font-size: 18px; margin-top: 18px; }
.cl-card .cl-box { display: inline-block; margin-right: 14px; white-space: nowrap; }
.cl-card .cl-line { border-bottom: 1px solid #555; height: 30px; }
@media print {
  @page { size: A4 portrait; margin: 15mm; }
  .cl-card { border: none; margin: 0 auto; break-inside: avoid; }
  .cl-card + .cl-card { break-before: page; page-break-before: always; }
  .cl-screen-only { display: none; }
}
"""


def _tick_boxes(labels) -> str:
    return "".join(f'<span class="cl-box">&#9744; {html.escape(label)}</span>' for label in labels)


def printable_cards(workshop: Workshop, table: pd.DataFrame) -> str:
    """A self-contained HTML file: one plain-language card per printed page, with space to answer."""
    esc = html.escape
    pages = []
    for _, row in table.iterrows():
        national = f" &middot; {esc(row['national'])}" if row.get("national") else ""
        pages.append(
            f'<section class="cl-card"><div class="cl-meta">{esc(row["domain_name"])} &middot; '
            f'{esc(STATUS_LABELS[row["status"]])} &middot; {esc(workshop.name)}</div>'
            f'<h2>{esc(row["title"])}</h2><p class="cl-question">{esc(row["question"])}</p>'
            f'<div class="cl-figure">{esc(row["display"])}</div>'
            f'<div class="cl-meta">Whose voice: {esc(row["voice_label"])}{national}</div>'
            f'<div class="cl-answer"><b>Does this matter to you?</b><br>{_tick_boxes(MATTERS.values())}</div>'
            f'<div class="cl-answer"><b>Is it fair and worded right?</b><br>{_tick_boxes(FAIR.values())}</div>'
            f'<div class="cl-answer"><b>Your words, or how you would say it</b>'
            f'<div class="cl-line"></div><div class="cl-line"></div></div>'
            f'<div class="cl-answer"><b>What is missing?</b><div class="cl-line"></div></div></section>')
    note = ('<p class="cl-screen-only">Print this page: each card comes out on its own sheet. Figures are '
            'rounded, small groups of young people are hidden, and no one\'s own record is shown.</p>')
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{esc(workshop.name)}: cards</title>'
            f'<style>{PRINT_STYLE}</style></head><body><div class="cl-cards">{note}{"".join(pages)}</div>'
            '</body></html>')

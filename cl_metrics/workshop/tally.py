"""The room's answers: counts per card, shown to the room once enough people have answered a card,
the comments the facilitator has approved, and the CSV files a workshop leaves behind.

Workshop answers are opinions, not records: a card's answers reach the screen once at least
OPINION_MINIMUM people have answered it (never who answered what), and a comment only once the
facilitator approves it. Analyst mode (signed-in analysts) sees every count and every comment.
"""
from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import pandas as pd

from cl_metrics import memo
from cl_metrics.access import Principal, mode_for, require
from cl_metrics.charts import style
from cl_metrics.disclosure import Mode
from cl_metrics.text import plain
from cl_metrics.workshop.answers import FAIR, MATTERS, personal_details
from cl_metrics.workshop.rooms import Workshop

OPINION_MINIMUM = 3
AVERAGE = "Matters: average of 1 to 5"
COMMENT_COLUMNS = ["Card", "Comment", "What's missing"]
# Okabe-Ito, ordered from "no" to "yes" so the scale reads as a scale without relying on colour.
MATTERS_COLOURS = ["#D55E00", "#E69F00", "#999999", "#56B4E9", "#0072B2"]
FAIR_COLOURS = ["#0072B2", "#999999", "#D55E00", "#E69F00"]
QUESTIONS = {"matters": "Does this matter to you?", "fair": "Is it fair and worded right?"}


@dataclass(frozen=True)
class Results:
    summary: pd.DataFrame       # one row per card: Answers, average, counts per answer (blank until shown)
    distribution: pd.DataFrame  # long: card, question, answer, count, for charts (shown cards only)
    comments: pd.DataFrame      # Card, Comment, What's missing: approved ones (every one in analyst mode)
    participants: int           # how many phones have answered at least one card


def answers_version(con, _actor, workshop: Workshop, *_) -> tuple:
    """Changes whenever an answer is saved (a replaced answer is a new row) or a comment approved."""
    return tuple(con.execute("SELECT max(id), count(*), count(*) FILTER (WHERE approved) FROM indicator_feedback "
                             "WHERE workshop_id = ?", [workshop.id]).fetchone())


def waiting(count: int) -> str:
    """What the room reads on a card that is not shown yet."""
    return f"waiting for {OPINION_MINIMUM} answers ({count} so far)"


@memo.per_version(answers_version)  # re-read every few seconds by each screen showing the room
def results(con, actor: Principal, workshop: Workshop, titles: dict[str, str], mode: Mode = "workshop") -> Results:
    """The room's answers per card, for those who run workshops (analyst mode only for an analyst)."""
    require(actor, "run_workshops")
    mode = mode_for(actor, mode)
    counts = _answer_counts(con, workshop.id)
    rows, long = [], []
    for indicator_id in workshop.indicator_ids:
        count, mean, *answered = counts.get(indicator_id, (0, None, *[0] * (len(MATTERS) + len(FAIR))))
        title = titles.get(indicator_id, indicator_id)
        hidden = mode == "workshop" and count < OPINION_MINIMUM
        matters = dict(zip(MATTERS.values(), answered[:len(MATTERS)]))
        fair = dict(zip(FAIR.values(), answered[len(MATTERS):]))
        rows.append({"indicator_id": indicator_id, "Card": title,
                     "Answers": waiting(count) if hidden else str(count),
                     AVERAGE: None if hidden or mean is None else round(float(mean), 1),
                     **{f"Matters: {k}": None if hidden else v for k, v in matters.items()},
                     **{f"Fair: {k}": None if hidden else v for k, v in fair.items()}})
        if not hidden and count:
            long += [(title, "matters", k, v) for k, v in matters.items()]
            long += [(title, "fair", k, v) for k, v in fair.items()]
    summary = pd.DataFrame({column: _typed(column, [row[column] for row in rows]) for column in rows[0]}) \
        if rows else pd.DataFrame()
    people = con.execute("SELECT count(DISTINCT participant) FROM indicator_feedback WHERE workshop_id = ?",
                         [workshop.id]).fetchone()[0]
    return Results(summary, pd.DataFrame(long, columns=["card", "question", "answer", "count"]),
                   _comments(con, workshop, titles, approved_only=mode == "workshop")[COMMENT_COLUMNS], people)


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


def _comments(con, workshop: Workshop, titles: dict[str, str], approved_only: bool) -> pd.DataFrame:
    """Comments newest first, with their row id and approval: never a participant token."""
    said = con.execute(
        "SELECT id, indicator_id, coalesce(comment, ''), coalesce(missing, ''), approved FROM indicator_feedback "
        "WHERE workshop_id = ? AND (comment IS NOT NULL OR missing IS NOT NULL) AND (approved OR NOT ?) "
        "ORDER BY created_at DESC, id DESC", [workshop.id, approved_only]).fetchall()
    return pd.DataFrame([(i, titles.get(card, card), c, m, bool(a)) for i, card, c, m, a in said],
                        columns=["id", *COMMENT_COLUMNS, "Approved"])


def comments_to_review(con, actor: Principal, workshop: Workshop, titles: dict[str, str]) -> pd.DataFrame:
    """Every comment for the facilitator to approve, each with what in it may identify someone."""
    require(actor, "run_workshops")
    found = _comments(con, workshop, titles, approved_only=False)
    flags = [", ".join(personal_details(c) + personal_details(m)) for c, m in
             zip(found["Comment"], found["What's missing"])]
    return found.assign(**{"Check first": flags})


def comments_export(con, actor: Principal, workshop: Workshop, titles: dict[str, str],
                    everything: bool = False) -> pd.DataFrame:
    """The comments a CSV may carry: approved ones, or all of them for an analyst who asks."""
    require(actor, "record_lists" if everything else "run_workshops")
    return _comments(con, workshop, titles, approved_only=not everything)[COMMENT_COLUMNS]


def answers_chart(distribution: pd.DataFrame, question: str, height_step: int = 34, card_axis: bool = True,
                  legend_size: int = 14) -> alt.Chart:
    """Stacked bars per card of one question's answers, in the scale's order, colour-blind safe; every
    answer in the legend, whole, whether or not anyone gave it. `card_axis=False` for one card under
    its own heading."""
    labels = list(MATTERS.values()) if question == "matters" else list(FAIR.values())
    colours = MATTERS_COLOURS if question == "matters" else FAIR_COLOURS
    data = distribution[(distribution["question"] == question) & (distribution["count"] > 0)].assign(
        order=lambda f: f["answer"].map(labels.index))
    return style(alt.Chart(data).mark_bar(stroke="white", strokeWidth=1).encode(
        y=alt.Y("card:N", title=None, sort=None, axis=alt.Axis(labelLimit=0) if card_axis else None),
        x=alt.X("count:Q", title="Answers", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("answer:N", title=None, scale=alt.Scale(domain=labels, range=colours),
                        legend=alt.Legend(orient="bottom", direction="vertical", columns=2, labelLimit=0,
                                          symbolLimit=0, labelFontSize=legend_size, symbolSize=legend_size * 10)),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("card:N", title="Card"), alt.Tooltip("answer:N", title="Answer"),
                 alt.Tooltip("count:Q", title="Answers")]), QUESTIONS[question], height=alt.Step(height_step))


def results_summary(summary: pd.DataFrame) -> str:
    """One line beside the charts (Markdown, the card's title escaped): how many cards can be shown,
    and which card matters most to the room."""
    rated = summary.dropna(subset=[AVERAGE])
    if rated.empty:
        return f"No card has {OPINION_MINIMUM} answers yet: a card's answers show once {OPINION_MINIMUM} people have answered it."
    top = rated.loc[rated[AVERAGE].idxmax()]
    return (f"{len(rated)} of {len(summary)} cards have answers to show; the one that matters most to "
            f"the room is '{plain(top['Card'])}' (average {top[AVERAGE]:.1f} out of 5).")

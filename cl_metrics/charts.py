"""Altair chart builders: pure functions of protected DataFrames, with a one-line summary each.

Colour-blind-safe (Okabe-Ito), large type for projectors, and never colour alone: series differ
by mark shape too, hidden groups keep their row with a label, and every chart has a sentence.
"""
from __future__ import annotations

import altair as alt
import pandas as pd
from cl_metrics.text import plain

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
FONT_SIZE = 15


def style(chart: alt.Chart, title: str | alt.TitleParams, height: int | alt.Step = 320) -> alt.Chart:
    """The project's look, for every chart: full width, projector-sized type, Okabe-Ito colours."""
    return (chart.properties(title=title, width="container", height=height)
            .configure_axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, labelLimit=260)
            .configure_title(fontSize=FONT_SIZE + 3, anchor="start")
            .configure_legend(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE)
            .configure_range(category=OKABE_ITO))


def _value_title(unit: str) -> str:
    return {"percent": "Per cent", "mean": "Average", "count": "Number"}.get(unit, "Value")


def _percent_axis(unit: str) -> dict:
    """A 0-100 scale with five ticks for percentages (bars of a share never need more)."""
    if unit != "percent":
        return {}
    return dict(scale=alt.Scale(domain=[0, 100]), axis=alt.Axis(values=list(range(0, 101, 20))))


TREND_READING = ("How to read it: each point is one year's figure as shown (the year ends 31 March); the solid "
                 "line is this store, dashed lines are DfE's published figures. A missing point was hidden or had no data.")
BREAKDOWN_READING = ("How to read it: one bar per group, longer is a higher figure; a group with a label and no bar "
                     "was hidden to protect small numbers. Whether higher is better is on the indicator's card.")
AGREEMENT_READING = ("How to read it: each bar is the share of young people with both a record and an answer; "
                     "the first colour is where they agree, the second where they differ.")


def trend_chart(frame: pd.DataFrame, title: str, unit: str = "percent", series: str | None = None,
                comparators: pd.DataFrame | None = None, own_label: str = "This store") -> alt.Chart:
    """Lines by collection year; `frame` has collection_year, value, display (and `series`).

    `comparators` (collection_year, series, value, display: England, statistical neighbours) adds a
    line each beside the store's own, told apart by colour, point shape and dash, never colour alone."""
    if comparators is not None and not comparators.empty:
        frame = pd.concat([frame.assign(series=own_label), comparators], ignore_index=True)
        series = "series"
    data = frame.assign(year=frame["collection_year"].astype(str))
    encoding = dict(x=alt.X("year:O", title="Year ending 31 March", axis=alt.Axis(labelAngle=0)),
                    y=alt.Y("value:Q", title=_value_title(unit), scale=alt.Scale(zero=True)),
                    tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("display:N", title="Figure")])
    if series:
        order = list(dict.fromkeys(data[series]))
        encoding["color"] = alt.Color(f"{series}:N", title=None, sort=order,
                                      legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=400))
        encoding["shape"] = alt.Shape(f"{series}:N", title=None, sort=order)
        encoding["strokeDash"] = alt.StrokeDash(f"{series}:N", title=None, sort=order)
        encoding["tooltip"].insert(0, alt.Tooltip(f"{series}:N", title=""))
    point = alt.OverlayMarkDef(size=90, filled=True, **({} if series else {"color": OKABE_ITO[0]}))
    chart = alt.Chart(data).mark_line(point=point, strokeWidth=3, **({} if series else {"color": OKABE_ITO[0]}))
    return style(chart.encode(**encoding), title)


def breakdown_chart(frame: pd.DataFrame, title: str, unit: str = "percent", dimension_label: str = "Group") -> alt.Chart:
    """Horizontal bars by group; suppressed groups keep their row, labelled, with no bar.

    The dimension goes in the subtitle, not a y-axis title, which long group names would overlap.
    """
    data = frame.assign(label=frame["display"])
    y = alt.Y("group:N", title=None, sort=list(data["group"]))
    labels = alt.Chart(data).mark_text(align="left", dx=4, fontSize=FONT_SIZE).encode(
        y=y, x=alt.X("value_or_zero:Q", title=_value_title(unit), **_percent_axis(unit)), text="label:N"
    ).transform_calculate(value_or_zero="isValid(datum.value) ? datum.value : 0")
    # A hidden group has no bar, and with every group hidden there is no bar layer at all: an empty
    # or unlabelled bar would be an image with nothing to say (axe: svg-img-alt).
    shown = data[data["value"].notna()]
    layers = [alt.Chart(shown).mark_bar(color=OKABE_ITO[0]).encode(
        y=y, x=alt.X("value:Q", title=_value_title(unit), **_percent_axis(unit)),
        tooltip=[alt.Tooltip("group:N", title=dimension_label), alt.Tooltip("display:N", title="Figure")])] \
        if not shown.empty else []
    return style(alt.layer(*layers, labels), alt.TitleParams(title, subtitle=f"By {dimension_label.lower()}",
                                                          subtitleFontSize=FONT_SIZE))


def trend_summary(frame: pd.DataFrame, title: str, comparators: pd.DataFrame | None = None) -> str:
    """One sentence a screen reader or a hurried manager can take in (Markdown: the title is escaped),
    and the published comparators' latest figures when there are any."""
    title = plain(title)
    shown = frame[~frame["suppressed"] & frame["value"].notna()].sort_values("collection_year")
    if shown.empty:
        sentence = f"{title}: no figures can be shown (too few young people or no data)."
    elif len(shown) == 1:
        sentence = f"{title}: {shown.iloc[-1]['display']} in {shown.iloc[-1]['collection_year']}."
    else:
        first, last = shown.iloc[0], shown.iloc[-1]
        change = last["value"] - first["value"]
        direction = "rose" if change > 0 else "fell" if change < 0 else "stayed level"
        sentence = (f"{title} {direction} from {first['display']} in {first['collection_year']} "
                    f"to {last['display']} in {last['collection_year']}.")
    if comparators is None or comparators.empty:
        return sentence
    latest = comparators[comparators["collection_year"] == comparators["collection_year"].max()]
    beside = "; ".join(f"{plain(r.series)} {plain(r.display)}" for r in latest.itertuples())
    return f"{sentence} Published for {latest['collection_year'].iloc[0]}: {beside}."


def breakdown_summary(frame: pd.DataFrame, title: str, dimension_label: str) -> str:
    """The highest and lowest group shown, and how many are hidden (Markdown: names from the data escaped)."""
    title, dimension_label = plain(title), plain(dimension_label)
    frame = frame.assign(group=frame["group"].map(plain))
    shown = frame[~frame["suppressed"] & frame["value"].notna()]
    hidden = int(frame["suppressed"].sum())
    note = f" {hidden} group(s) hidden to protect small numbers." if hidden else ""
    if shown.empty:
        return f"{title} by {dimension_label.lower()}: no group can be shown.{note}"
    top, bottom = shown.loc[shown["value"].idxmax()], shown.loc[shown["value"].idxmin()]
    if len(shown) == 1:
        return f"{title} by {dimension_label.lower()}: only {top['group']} can be shown ({top['display']}).{note}"
    return (f"{title} by {dimension_label.lower()}: highest {top['group']} ({top['display']}), "
            f"lowest {bottom['group']} ({bottom['display']}).{note}")


AGREEMENT_WORDS = {"agree": "Record and answer agree", "differ": "Record and answer differ"}


def agreement_chart(cells: pd.DataFrame, title: str) -> alt.Chart:
    """The four cells of an agreement table as bars (% of everyone with both), labelled in words.

    `cells` is `voice.Agreement.cells`: recorded, says, agreement, value and text per cell.

    Each bar's label names the record and the answer on two lines, and says in words whether
    they agree; colour repeats it. Hidden cells keep their row with the reason and no bar.
    """
    data = cells.assign(
        cell=[f"{recorded}\n{says[:1].lower()}{says[1:]}" for recorded, says in zip(cells["recorded"], cells["says"])],
        agreement_words=cells["agreement"].map(AGREEMENT_WORDS),
        label=[text if pd.isna(value) else f"{text}, {agreement}"
               for text, value, agreement in zip(cells["text"], cells["value"], cells["agreement"])])
    base = alt.Chart(data).encode(y=alt.Y("cell:N", title=None, sort=None,
                                          axis=alt.Axis(labelExpr="split(datum.label, '\\n')", labelLimit=420)))
    bars = base.mark_bar().encode(
        x=alt.X("value:Q", title="Per cent of young people with both", **_percent_axis("percent")),
        color=alt.Color("agreement_words:N", title=None,
                        scale=alt.Scale(domain=list(AGREEMENT_WORDS.values()), range=OKABE_ITO[:2]),
                        legend=alt.Legend(orient="bottom", labelLimit=400)),
        tooltip=[alt.Tooltip("recorded:N", title="Record"), alt.Tooltip("says:N", title="Young person"),
                 alt.Tooltip("label:N", title="Young people"), alt.Tooltip("agreement_words:N", title="")])
    labels = base.mark_text(align="left", dx=4, fontSize=FONT_SIZE).encode(
        x=alt.X("value_or_zero:Q"), text="label:N").transform_calculate(
        value_or_zero="isValid(datum.value) ? datum.value : 0")
    return style(alt.layer(bars, labels), title)


def agreement_summary(shares: pd.DataFrame, people: str, title: str = "") -> str:
    """One sentence from a pairing's shares (each row has `sentence` with {} for its figure).

    `people` is the protected display of how many have both; leave `title` out where a heading
    already names the pairing.
    """
    shown = shares[~shares["suppressed"]]
    hidden = len(shares) - len(shown)
    note = f" {hidden} figure(s) hidden to protect small numbers." if hidden else ""
    lead = f"{plain(title)}: " if title else ""
    if people == "0":
        text = "no young people have both an answer and a record."
    elif not people[:1].isdigit():
        text = "too few young people have both an answer and a record to show figures."
    elif shown.empty:
        text = f"of the {people} young people with both, no share can be shown without giving small numbers away."
    else:
        parts = "; ".join(sentence.format(figure) for sentence, figure in zip(shown["sentence"], shown["display"]))
        text = f"of the {people} young people with both, {parts}."
    return lead + (text if lead else text[:1].upper() + text[1:]) + note


SPARK_WIDTH, SPARK_HEIGHT = 140, 36


def sparkline(values: list[float | None], years: list[int], title: str) -> alt.Chart:
    """A card's small trend: the figure as shown in each year, no axes (the card says the figures), a gap
    where one was hidden; `title` becomes its description for screen readers."""
    data = pd.DataFrame({"year": [str(y) for y in years], "value": values})
    # The points and line are one picture, named once by `description`, not a list of unnamed images.
    chart = alt.Chart(data).mark_line(point=alt.OverlayMarkDef(size=20, color=OKABE_ITO[0], aria=False),
                                      color=OKABE_ITO[0], strokeWidth=2, aria=False)
    return chart.encode(x=alt.X("year:O", axis=None), y=alt.Y("value:Q", axis=None, scale=alt.Scale(zero=False))
                        ).properties(width=SPARK_WIDTH, height=SPARK_HEIGHT, description=title
                        ).configure_view(stroke=None)

"""Indicator lab: define a candidate indicator, see it computed beside the built-ins, save and share it."""
import streamlit as st

from cl_metrics import charts, lab
from cl_metrics.domains import domains
from cl_metrics.fields import registry
from cl_metrics.indicators import DeclarationError, Indicator, compute
from cl_metrics.indicators.model import OPERATOR_WORDS
from cl_metrics.views import BETTER_LABELS, VOICE_LABELS
from pages.common import bullets, card_grid, current, download, plain, require_records, said_here, say

ctx, state = current(), st.session_state
FIELDS, DOMAIN_NAMES = registry(), {d.id: d.name for d in domains()}
st.title("Indicator lab")
st.caption("Try a candidate indicator beside the built-ins of its domain; save, edit, retire or share it.")
require_records(ctx)
try:
    starts = lab.starting_points(ctx.cursor())
except DeclarationError as exc:
    st.error("A saved candidate no longer fits the store's fields:\n\n" + bullets(str(exc).splitlines()))
    st.stop()


def load() -> None:
    """Fill the form from the chosen starting point (a callback, so it runs before the widgets)."""
    values, state["lab_editing"] = lab.starting_form(ctx.cursor(), state["lab_start"])
    for name in lab.SCALAR_FIELDS:
        state[f"lab_{name}"] = values[name]
    state["lab_id_made"] = values["id"]  # a new candidate's id follows its title until it is changed by hand
    for part in lab.CONDITION_PARTS:
        state[f"lab_{part}"] = []
        for row in values[part]:
            key = add_row(part)
            state[f"{key}_field"], state[f"{key}_op"] = row["field"], row["op"]
            coded = FIELDS[row["field"]].codes is not None
            state[f"{key}_codes" if coded else f"{key}_text"] = row["values"] if coded else ", ".join(row["values"])


def add_row(part: str) -> str:
    """A new condition row, starting at the first field of the candidate's domain."""
    state["lab_next_row"] = state.get("lab_next_row", 0) + 1
    state[f"lab_{part}"].append(state["lab_next_row"])
    key = f"lab_{part}_{state['lab_next_row']}"
    state[f"{key}_field"] = lab.field_choices(state["lab_domain"])[0]
    return key


def keep_fields() -> None:
    """A new domain reorders every row's field picker, making each a new widget that would send back its
    first field on the next click: say again which field each row holds."""
    for part in lab.CONDITION_PARTS:
        for row in state[f"lab_{part}"]:
            state[f"lab_{part}_{row}_field"] = state[f"lab_{part}_{row}_field"]


def follow_title() -> None:
    """The id is made from the title while it is still the one made (editable; fixed once saved)."""
    if state["lab_editing"] is None and state["lab_id"] in ("", state.get("lab_id_made")):
        state["lab_id"] = state["lab_id_made"] = lab.id_from_title(state["lab_title"])


def condition_rows(part: str) -> list[dict]:
    """Rows of field / operator / values; coded fields offer their codes, others take typed values."""
    st.markdown(f"**{lab.FORM_LABELS[part]}**" + ("" if state[f"lab_{part}"] else " (none yet)"))
    if part == "population" and not state[f"lab_{part}"]:
        st.caption(lab.EVERYONE)
    rows = []
    for row in state[f"lab_{part}"]:
        key = f"lab_{part}_{row}"
        name_col, op_col, value_col, remove_col = st.columns([4, 2, 4, 1], vertical_alignment="bottom")
        name = name_col.selectbox("Field", lab.field_choices(state["lab_domain"], state.get(f"{key}_field")),
                                  key=f"{key}_field", format_func=lab.field_words)
        op = op_col.selectbox("Operator", lab.operators_for(name), key=f"{key}_op", format_func=OPERATOR_WORDS.get)
        count, codes = lab.value_count(op), FIELDS[name].codes
        values = [] if count == 0 else (
            value_col.multiselect("Values", codes, key=f"{key}_codes", max_selections=count) if codes else
            value_col.text_input("Values", key=f"{key}_text", placeholder="comma-separated"))
        remove_col.button("✕", key=f"{key}_remove", help="Remove this row",
                          on_click=state[f"lab_{part}"].remove, args=(row,))
        rows.append({"field": name, "op": op, "values": values})
    st.button("Add a row", key=f"lab_{part}_add", on_click=add_row, args=(part,))
    return rows


def write(button: str, action, success, *args) -> None:
    """Run a store write from a button; keep its outcome to show below that button on the next run.
    `success` is the words, or makes them from what the action returned."""
    try:
        done = action(ctx.opened, ctx.actor, *args)
        say(button, "success", success(done) if callable(success) else success)
        # A write can change the picker's words (a new title, "(retired)"), which makes it a new widget that
        # would send back its first option, "A new, empty candidate", and clear the form: say again which.
        state["lab_start"] = state["lab_start"]
    except lab.LabError as exc:
        say(button, "error", "Not saved:\n\n" + bullets(exc.problems))


def save_new(opened, actor, draft: Indicator) -> None:
    """Save, then keep editing what was saved."""
    lab.create(opened, actor, draft, state["lab_author"])
    state["lab_editing"], state["lab_start"] = draft.id, f"saved:{draft.id}"


def preview(draft: Indicator) -> None:
    """The candidate's figure beside its domain's built-ins, its trend, and a breakdown."""
    st.subheader(f"{plain(draft.title)}, beside the built-ins of {DOMAIN_NAMES[draft.domain]}")
    st.markdown(f"**Who is counted:** {lab.population_text(ctx.cursor(), draft, ctx.year, ctx.mode, ctx.threshold)}"
                + ("" if draft.population else f" {lab.EVERYONE}"))
    for note in lab.recorded_for(ctx.cursor(), draft, ctx.year):
        st.info(note, icon=":material/info:")
    figures = lab.comparison(ctx.cursor(), draft, ctx.year, ctx.mode, ctx.threshold)
    card_grid(figures)
    if ctx.mode == "analyst" and (caution := figures["caution"].iloc[0]):
        st.warning(f"Workshop mode hides this figure: it {plain(caution)}.")
    trend = lab.trend(ctx.cursor(), draft, ctx.mode, ctx.threshold)
    st.altair_chart(charts.trend_chart(trend, draft.title, draft.unit))
    st.caption(charts.trend_summary(trend, draft.title))
    if withheld := lab.breakdown_withheld(ctx.mode):
        st.info(withheld)
        return
    dimension = st.selectbox("Break down by", list(compute.DIMENSIONS), key="lab_dimension",
                             format_func=lambda d: compute.DIMENSIONS[d][1])
    label, parts = compute.DIMENSIONS[dimension][1], lab.breakdown(ctx.cursor(), draft, dimension, ctx.year,
                                                                   ctx.mode, ctx.threshold)
    st.altair_chart(charts.breakdown_chart(parts, draft.title, draft.unit, label))
    st.caption(charts.breakdown_summary(parts, draft.title, label))
    download(parts[["group", "display", "value", "numerator", "denominator"]], f"{draft.id}_by_{dimension}")


if "lab_title" not in state:
    state["lab_start"] = "new"
    load()
start_col, author_col = st.columns([3, 2])
start_col.selectbox("Start from", list(starts), key="lab_start", format_func=starts.get, on_change=load)
author_col.text_input("Your name (saved with what you save or import)", key="lab_author")
editing = state["lab_editing"]
left, right = st.columns(2)
left.text_input("Title", key="lab_title", on_change=follow_title)
left.text_input(lab.FORM_LABELS["id"], key="lab_id", disabled=editing is not None,
                help="Made from the title; change it if you like. Fixed once saved.")
check = lab.question_check(left.text_input(lab.FORM_LABELS["question"], key="lab_question"))
left.caption(check.summary)
left.text_area(lab.FORM_LABELS["description"], key="lab_description", height=90)
right.selectbox(lab.FORM_LABELS["domain"], list(DOMAIN_NAMES), key="lab_domain", format_func=DOMAIN_NAMES.get,
                on_change=keep_fields)
unit = right.radio(lab.FORM_LABELS["unit"], ["percent", "mean", "count"], key="lab_unit", horizontal=True)
if unit == "mean":
    right.selectbox(lab.FORM_LABELS["value_field"], lab.mean_fields(), key="lab_value_field",
                    format_func=lambda n: FIELDS[n].label)
right.radio(lab.FORM_LABELS["better"], list(BETTER_LABELS), key="lab_better", format_func=BETTER_LABELS.get)
right.radio(lab.FORM_LABELS["voice"], list(VOICE_LABELS), key="lab_voice", format_func=VOICE_LABELS.get)
form = {name: state.get(f"lab_{name}") for name in lab.SCALAR_FIELDS}
form |= {part: condition_rows(part) for part in lab.CONDITION_PARTS if part == "population" or unit != "mean"}

try:
    draft = lab.from_form(form)
except lab.LabError as exc:
    st.warning("Not yet an indicator the lab can compute:\n\n" + bullets(exc.problems))
else:
    st.divider()
    preview(draft)
    if blocking := lab.problems(draft):
        st.error("Cannot be saved yet:\n\n" + bullets(blocking))
    st.button("Save changes" if editing else "Save as a new candidate", key="lab_save", type="primary", on_click=write,
              args=("lab_save", lab.update if editing else save_new, f"Saved '{plain(draft.title)}'.", draft),
              disabled=bool(blocking))
    said_here("lab_save")
    if editing:
        back = editing in lab.retired_ids(ctx.cursor())
        st.button("Bring back" if back else "Retire", key="lab_retire", on_click=write, args=(
            "lab_retire", lab.set_retired, f"Brought back '{plain(draft.title)}': it is in use again." if back else
            f"Retired '{plain(draft.title)}': kept here and in past workshops, left out of exports of those in use.",
            editing, not back))
        said_here("lab_retire")
# Its open state is kept (a key, told of each toggle), so choosing a file does not fold it away from its button.
with st.expander("Share candidates with another authority", key="lab_share", on_change="rerun"):
    st.dataframe(lab.records(ctx.cursor()), hide_index=True)
    every, in_use = lab.saved_choices(ctx.cursor())
    chosen = st.multiselect("Candidates to export", list(every), key="lab_export_chosen", format_func=every.get,
                            placeholder="Every candidate in use (or choose which, retired ones too)")
    exported = chosen or in_use  # no default: one that changed with every save would reset the choice
    st.download_button(f"Export {len(exported)} candidate{'s' * (len(exported) != 1)} (JSON)",
                       lab.export_json(ctx.cursor(), exported), file_name="candidate_indicators.json",
                       mime="application/json", key="lab_export", disabled=not exported)
    upload = st.file_uploader("Import a JSON or TOML file of candidates", type=["json", "toml"], key="lab_upload")
    if upload is not None:
        st.button("Import every candidate in the file", key="lab_import", on_click=write, args=(
            "lab_import", lab.import_file, lambda added: plain(lab.import_summary(upload.name, added)), upload.name,
            upload.getvalue(), state["lab_author"]))
        said_here("lab_import")

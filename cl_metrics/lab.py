"""The indicator lab: candidate indicators that managers define, try, save, retire and share.

A candidate is the same pydantic `Indicator` as a built-in, with status 'candidate', stored as
JSON in `candidate_indicator`. Every write goes through `OpenStore.writing()` (one transaction
under the process-wide write lock). Problems come back as `LabError`, a list of plain sentences
naming the field and what is wrong, so a page can show them without a traceback.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

import pandas as pd
from pydantic import ValidationError

from cl_metrics import differencing
from cl_metrics.access import Principal, require
from cl_metrics.disclosure import DEFAULT_THRESHOLD, Mode, count_text
from cl_metrics.domains import domain_ids, domains
from cl_metrics.fields import registry
from cl_metrics.indicators import DeclarationError, Indicator, builtin, compute, for_domain, load_declarations
from cl_metrics.indicators import compiler
from cl_metrics.indicators.model import ARITY, OPERATOR_WORDS
from cl_metrics.indicators.stored import saved
from cl_metrics.readability import shown_reading_ease
from cl_metrics.spec import spec
from cl_metrics.session import OpenStore
from cl_metrics.views import VOICE_LABELS, indicator_figures

MAX_QUESTION_WORDS = 20
MIN_READING_EASE = 60
MAX_IMPORT_BYTES = 1_000_000
MAX_IMPORT_DECLARATIONS = 200
MAX_NESTING = 10  # a declaration file nests 6 deep: {indicator: [{population: [{values: [...]}]}]}
EXPORT_FORMAT = "care-leaver-candidate-indicators"
FORM_LABELS = {"id": "Short name (id)", "domain": "Domain", "status": "Status", "title": "Title",
               "question": "Plain-language question", "description": "Description", "unit": "Unit",
               "population": "Who is counted", "numerator": "Who counts towards the figure",
               "value_field": "Value to average", "better": "Which way is better", "voice": "Whose voice",
               "field": "field", "op": "operator", "values": "values"}
# The model's words for parts of the form, as the form names them.
MODEL_WORDS = {"needs value_field naming a known field, got None": "needs a value to average: choose one",
               "needs value_field naming": "needs a value to average naming",
               "at least one numerator condition": "at least one row under 'Who counts towards the figure'"}
# A field with no domain is about who the young person is (age, sex, ...): offered after the domains.
ABOUT_THE_PERSON = "About the young person"
# The model's type names, as a manager says them.
TYPE_WORDS = {"VARCHAR": "text", "INTEGER": "whole number", "DOUBLE": "number", "DATE": "date", "BOOLEAN": "yes/no"}
ID_LENGTH = 64
SCALAR_FIELDS = ("id", "domain", "title", "question", "description", "unit", "value_field", "better", "voice")
CONDITION_PARTS = ("population", "numerator")


class LabError(ValueError):
    """A candidate that cannot be saved or imported; `problems` are plain sentences."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# --- the form: which operators a field offers, and form values <-> Indicator ----------------------

def operators_for(field_name: str) -> list[str]:
    """Operators that make sense for a field's type, most useful first."""
    f = registry()[field_name]
    if f.type == "BOOLEAN":
        return ["is_true", "is_false", "is_null", "not_null"]
    if f.numeric:
        return ["between", "ge", "le", "gt", "lt", "eq", "ne", "in", "not_in", "is_null", "not_null"]
    return ["in", "not_in", "eq", "ne", "is_null", "not_null"]


def field_group(name: str) -> str:
    """Where a field sits for the picker: its domain's name and the table that holds it."""
    f = registry()[name]
    table = f.source.split(".")[0].split(" ")[0]
    titles = {t.name: t.title for t in spec().tables.values()}
    where = f" · {titles[table]}" if table in titles else ""
    return f"{_domain_names().get(f.domain, ABOUT_THE_PERSON)}{where}"


def field_words(name: str) -> str:
    """A field as the picker shows it: its label first (a narrow box cuts the end off), then where it sits
    and who records it; never its column name alone."""
    f = registry()[name]
    who = f" · {VOICE_LABELS[f.voice]}" if f.voice else ""
    return f"{f.label} — {field_group(name)}{who}"


def field_choices(domain: str, keep: str | None = None) -> list[str]:
    """Fields a condition row offers, grouped: the candidate's domain first, then the other domains in
    order, then who the young person is. Fields the specs declare internal are left out, unless the
    row already holds one (a copied built-in may use it)."""
    order = [domain, *(d for d in domain_ids() if d != domain), None]
    offered = [n for n, f in registry().items() if not f.internal or n == keep]
    return sorted(offered, key=lambda n: (order.index(registry()[n].domain)
                                          if registry()[n].domain in order else len(order), field_group(n)))


def _domain_names() -> dict[str, str]:
    return {d.id: d.name for d in domains()}


def id_from_title(title: str) -> str:
    """A short name made from a title ("At university, aged 19-21" -> at_university_aged_19_21), valid
    for the model's id rule; the person may still change it."""
    stem = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")
    if stem and not stem[0].isalpha():
        stem = f"candidate_{stem}"
    return stem[:ID_LENGTH].rstrip("_")


def mean_fields() -> list[str]:
    """Fields a mean can average: the number fields."""
    return [name for name, f in registry().items() if f.type == "INTEGER"]


def value_count(op: str) -> int | None:
    """How many values an operator takes (None: one or more)."""
    return ARITY.get(op)


def split_values(values: str | Sequence[str]) -> list[str]:
    """A text box's comma-separated values, or a multiselect's list, as a clean list of strings."""
    items = values.split(",") if isinstance(values, str) else values
    return [str(v).strip() for v in items if str(v).strip()]


def blank_form(domain: str) -> dict:
    """Form values for a new candidate."""
    return {"id": "", "domain": domain, "title": "", "question": "", "description": "", "unit": "percent",
            "value_field": None, "better": "higher", "voice": "worker-recorded", "population": [], "numerator": []}


def form_values(ind: Indicator, new_id: str | None = None) -> dict:
    """An indicator as form values (plain strings), to edit it or start a new one from it."""
    values = {name: getattr(ind, name) for name in SCALAR_FIELDS}
    if new_id is not None:
        values["id"] = new_id
    for part in CONDITION_PARTS:
        values[part] = [{"field": c.field, "op": c.op, "values": [_text(v) for v in c.values]}
                        for c in getattr(ind, part)]
    return values


def _text(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def copy_id(ind: Indicator, taken: set[str] = frozenset()) -> str:
    """A free id for a candidate started from `ind`: never a built-in's, nor one of `taken`
    (`_candidate`, then `_candidate_2`, `_candidate_3`, ...)."""
    stem = f"{ind.id[:50]}_candidate"
    found, number = stem, 1
    while found in taken:
        number += 1
        found = f"{stem}_{number}"
    return found


def from_form(values: dict) -> Indicator:
    """The form's values as a validated candidate, or LabError saying what to fix."""
    declaration = {name: values.get(name) for name in SCALAR_FIELDS}
    declaration["id"] = (declaration["id"] or "").strip()
    declaration["status"] = "candidate"
    if declaration["unit"] != "mean":
        declaration["value_field"] = None
    for part in CONDITION_PARTS:
        rows = [] if part == "numerator" and declaration["unit"] == "mean" else values.get(part, [])
        declaration[part] = [{"field": r["field"], "op": r["op"],
                              "values": split_values(r.get("values", []))} for r in rows]
    try:
        return Indicator.model_validate(declaration)
    except ValidationError as exc:
        raise LabError(plain_problems(exc)) from None


def plain_problems(exc: ValidationError) -> list[str]:
    """pydantic's errors as sentences: which part of the form, and what is wrong with it."""
    problems = []
    for err in exc.errors():
        where = [FORM_LABELS.get(str(p), str(p)) if isinstance(p, str) else f"row {p + 1}" for p in err["loc"]]
        problems.append(f"{', '.join(where) or 'The indicator'}: {_plain_message(err)}")
    return problems


def _plain_message(err: dict) -> str:
    context = err.get("ctx", {})
    match err["type"]:
        case "string_too_short":
            return f"needs at least {context['min_length']} characters"
        case "string_too_long":
            return f"must be at most {context['max_length']} characters"
        case "string_pattern_mismatch":
            return "use 3 to 64 lower-case letters, digits or _, starting with a letter (e.g. eet_in_work_19_21)"
        case "literal_error":
            return f"choose one of {context['expected']}"
        case "missing":
            return "is needed"
        case "value_error":
            message = err["msg"].removeprefix("Value error, ")
            for model_word, form_word in MODEL_WORDS.items():
                message = message.replace(model_word, form_word)
            return plain_words(message)
    return err["msg"]


def plain_words(message: str) -> str:
    """The model's code words as the form says them: operators as words ("is one of"), fields by their
    labels, types as kinds of value (operator 'in' on 'IN_TOUCH' -> "is one of" on "In touch with ...")."""
    fields = registry()
    message = re.sub(r"operator '(\w+)'", lambda m: f"\"{OPERATOR_WORDS.get(m[1], m[1])}\"", message)
    message = re.sub(r"'(\w+)'", lambda m: f"\"{fields[m[1]].label}\"" if m[1] in fields else m[0], message)
    message = re.sub(r"\b(VARCHAR|INTEGER|DOUBLE|DATE|BOOLEAN)\b", lambda m: TYPE_WORDS[m[1]], message)
    return message.replace("value(s)", "values")


# --- checks a candidate must pass beyond the model --------------------------------------------------

@dataclass(frozen=True)
class QuestionCheck:
    """How plain a question is: its word count and Flesch reading ease (None while it has no words)."""
    words: int
    reading_ease: float | None

    @property
    def too_long(self) -> bool:
        return self.words > MAX_QUESTION_WORDS

    @property
    def hard_to_read(self) -> bool:
        return self.reading_ease is not None and self.reading_ease < MIN_READING_EASE

    @property
    def summary(self) -> str:
        length = f"{self.words} words (at most {MAX_QUESTION_WORDS})"
        if self.reading_ease is None:
            return length
        advice = " · may be hard to read: try shorter words and a shorter sentence" if self.hard_to_read else ""
        return f"{length} · reading ease {self.reading_ease:.0f} (aim for {MIN_READING_EASE} or more){advice}"


def question_check(question: str) -> QuestionCheck:
    """Word count and reading ease, computed offline (cl_metrics.readability), so the lab always checks both."""
    words = len(question.split())
    return QuestionCheck(words, shown_reading_ease(question) if words else None)


def problems(ind: Indicator) -> list[str]:
    """Why a valid indicator still cannot be saved as a candidate (empty when it can)."""
    found = []
    if ind.status not in ("candidate", "prototype"):  # a workshop may have promoted it
        found.append(f"indicator '{ind.id}': status must be 'candidate' or 'prototype', not '{ind.status}'")
    if ind.id in {b.id for b in builtin()}:
        found.append(f"indicator '{ind.id}': the id is a built-in indicator's; choose another")
    check = question_check(ind.question)
    if check.too_long:
        found.append(f"indicator '{ind.id}': the question has {check.words} words; "
                     f"keep it to {MAX_QUESTION_WORDS} so a young person can take it in")
    return found


# --- figures -----------------------------------------------------------------------------------------

def comparison(con, candidate: Indicator, year: int, mode: Mode = "workshop",
               threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """The candidate's protected figure first, then the built-ins of its domain, for one year.

    The candidate is checked for differencing against every built-in and every saved candidate,
    retired ones too (old workshops' cards and the lab still show them)."""
    others = [b for b in for_domain(candidate.domain) if b.id != candidate.id]
    return indicator_figures(con, year, mode, threshold, [candidate, *others], saved(con, include_retired=True))


def trend(con, candidate: Indicator, mode: Mode = "workshop", threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """The candidate's protected figure for every year, each checked for differencing as in `comparison`."""
    figures = compute.trend(con, [candidate], mode=mode, threshold=threshold)
    return differencing.guard(con, figures, [candidate], saved(con, include_retired=True), compute.years(con),
                              mode, threshold)


def breakdown_withheld(mode: Mode) -> str:
    """Why the lab shows no breakdown of a candidate in this mode ('' when it shows one).

    A candidate's groups sit beside every built-in's breakdown and every other candidate's, in every
    year: checking each cell against all of them would be a search that grows with every saved
    candidate and still misses sums over several. A breakdown never shown cannot be subtracted from,
    and analyst mode is where groups are explored exactly."""
    if mode == "analyst":
        return ""
    return ("Workshop mode shows no breakdown of a candidate: set beside the built-ins' breakdowns and other "
            "candidates, its groups could be subtracted to reveal a few young people. Analyst mode shows it.")


def breakdown(con, candidate: Indicator, dimension: str, year: int, mode: Mode = "workshop",
              threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame | None:
    """The candidate's breakdown, or None where `breakdown_withheld` says why not (workshop mode)."""
    if breakdown_withheld(mode):
        return None
    return compute.breakdown(con, [candidate], dimension, year, mode=mode, threshold=threshold)


# --- who is counted ------------------------------------------------------------------------------------

EVERYONE = ("No rows here means everyone in the store's year is counted: every young person with a record "
            "that year, whatever their age. Add rows (age, in the OC3 return, ...) to count fewer.")


def population_text(con, candidate: Indicator, year: int, mode: Mode = "workshop",
                    threshold: int = DEFAULT_THRESHOLD) -> str:
    """How many young people 'Who is counted' takes in, under the threshold rule in workshop mode."""
    where = compiler.all_of(candidate.population)
    counted = con.execute(f"SELECT count_if({where.text}) FROM {compiler.TABLE} WHERE collection_year = ?",
                          [*where.params, year]).fetchone()[0]
    return f"{count_text(counted, threshold, mode)} young people are counted in {year}."


def recorded_for(con, candidate: Indicator, year: int) -> list[str]:
    """Fields the figure reads that the store records for some age bands only, in plain sentences
    ("Health assessment in the last year is recorded only for ages 16-17."): a figure over everyone
    is then mostly blanks. Worked out from the data (which bands hold any value), not declared."""
    names = dict.fromkeys([c.field for c in (*candidate.population, *candidate.numerator)]
                          + ([candidate.value_field] if candidate.value_field else []))
    where = compiler.all_of(candidate.population)
    found = []
    for name in names:
        column = compiler.column(name)
        bands = con.execute(f"SELECT age_band, count({column}) > 0 FROM {compiler.TABLE} WHERE collection_year = ? "
                            f"AND {where.text} GROUP BY age_band ORDER BY age_band", [year, *where.params]).fetchall()
        held = [band for band, any_value in bands if any_value]
        if held and len(held) < len(bands):
            found.append(f"{registry()[name].label} is recorded only for ages {', '.join(held)}: "
                         "anyone else counted has it blank.")
    return found


# --- the store -------------------------------------------------------------------------------------

def records(con) -> pd.DataFrame:
    """One row per saved candidate with who saved it and when (no figures)."""
    return con.execute(
        "SELECT id, definition->>'title' AS title, definition->>'domain' AS domain, author, "
        "created_at, updated_at, retired FROM candidate_indicator ORDER BY created_at, id").df()


def retired_ids(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT id FROM candidate_indicator WHERE retired").fetchall()}


def starting_points(con) -> dict[str, str]:
    """Where a lab form can start: empty, a saved candidate (to edit) or a copy of a built-in."""
    return {"new": "A new, empty candidate"} | {
        f"saved:{i}": f"Saved: {words}" for i, words in saved_choices(con)[0].items()} | {
        f"builtin:{b.id}": f"Copy of built-in: {b.title}" for b in builtin()}


def starting_form(con, start: str, domain: str | None = None) -> tuple[dict, str | None]:
    """Form values for a starting point, and the id of the saved candidate it edits (None if new)."""
    kind, _, chosen = start.partition(":")
    if kind == "saved":
        return form_values(next(c for c in saved(con, include_retired=True) if c.id == chosen)), chosen
    if kind == "builtin":
        source = next(b for b in builtin() if b.id == chosen)
        return form_values(source, copy_id(source, _stored_ids(con))), None
    return blank_form(domain or domain_ids()[0]), None


def _stored_ids(cur) -> set[str]:
    return {r[0] for r in cur.execute("SELECT id FROM candidate_indicator").fetchall()}


def _refuse_if(found: list[str]) -> None:
    if found:
        raise LabError(found)


def create(opened: OpenStore, actor: Principal, ind: Indicator, author: str) -> Indicator:
    """Save a new candidate with its author and date; refused if the id is taken."""
    require(actor, "edit_candidates")
    author = author.strip()
    _refuse_if(problems(ind) + ([] if author else ["Your name: needed, so others know who defined it"]))
    stamped = ind.model_copy(update={"author": author, "created": dt.date.today().isoformat()})
    with opened.writing() as cur:
        _refuse_if([f"indicator '{ind.id}': a saved candidate already has this id; edit it or choose another"]
                   if ind.id in _stored_ids(cur) else [])
        _insert(cur, stamped, author)
    return stamped


def update(opened: OpenStore, actor: Principal, ind: Indicator) -> Indicator:
    """Replace a saved candidate's definition, keeping who first defined it and when."""
    require(actor, "edit_candidates")
    _refuse_if(problems(ind))
    with opened.writing() as cur:
        row = cur.execute("SELECT definition FROM candidate_indicator WHERE id = ?", [ind.id]).fetchone()
        _refuse_if([] if row else [f"indicator '{ind.id}' is not a saved candidate"])
        first = json.loads(row[0])
        stamped = ind.model_copy(update={"author": first.get("author"), "created": first.get("created"),
                                         "status": first.get("status", ind.status)})  # a promotion stays
        cur.execute("UPDATE candidate_indicator SET definition = ?, updated_at = now() WHERE id = ?",
                    [stamped.model_dump_json(), ind.id])
    return stamped


def set_retired(opened: OpenStore, actor: Principal, indicator_id: str, retired: bool = True) -> None:
    """Retire a candidate (kept, for the record and for workshops that discussed it) or bring it back."""
    require(actor, "edit_candidates")
    with opened.writing() as cur:
        changed = cur.execute("UPDATE candidate_indicator SET retired = ?, updated_at = now() WHERE id = ? "
                              "RETURNING id", [retired, indicator_id]).fetchall()
        _refuse_if([] if changed else [f"indicator '{indicator_id}' is not a saved candidate"])


def promote_in(cur, indicator_id: str) -> None:
    """Make a saved candidate a prototype, inside the caller's transaction (a workshop decided it)."""
    row = cur.execute("SELECT definition FROM candidate_indicator WHERE id = ?", [indicator_id]).fetchone()
    _refuse_if([] if row else [f"indicator '{indicator_id}' is not a saved candidate"])
    definition = json.loads(row[0]) | {"status": "prototype"}
    cur.execute("UPDATE candidate_indicator SET definition = ?, updated_at = now() WHERE id = ?",
                [json.dumps(definition), indicator_id])


def _insert(cur, ind: Indicator, author: str) -> None:
    cur.execute("INSERT INTO candidate_indicator (id, definition, author, created_at, updated_at, retired) "
                "VALUES (?, ?, ?, now(), now(), false)", [ind.id, ind.model_dump_json(), author])


# --- sharing between authorities -------------------------------------------------------------------

def saved_choices(con) -> tuple[dict[str, str], list[str]]:
    """Every saved candidate (id -> words for a picker, retired ones marked), and the ids of those in use."""
    retired = retired_ids(con)
    every = {c.id: f"{c.title} ({c.id})" + (" (retired)" if c.id in retired else "")
             for c in saved(con, include_retired=True)}
    return every, [i for i in every if i not in retired]


def export_json(con, ids: Sequence[str] | None = None) -> str:
    """Chosen candidates (by default those in use, not retired) as a JSON file another authority can import."""
    chosen = saved(con) if ids is None else [c for c in saved(con, include_retired=True) if c.id in set(ids)]
    return json.dumps({"format": EXPORT_FORMAT, "version": 1,
                       "exported_at": dt.datetime.now().isoformat(timespec="seconds"),
                       "indicator": [ind.model_dump(mode="json", exclude_none=True) for ind in chosen]},
                      indent=2, ensure_ascii=False)


def import_summary(name: str, added: Sequence[Indicator]) -> str:
    """What an import added, by title and id, so the person can find them under 'Start from'."""
    listed = "; ".join(f"{ind.title} ({ind.id})" for ind in added)
    return f"Added {len(added)} candidate{'s' * (len(added) != 1)} from {name}: {listed}."


def read_file(name: str, content: bytes) -> tuple[Indicator, ...]:
    """Parse and validate a JSON or TOML file of declarations (under 'indicator'), refusing the lot.

    A file is untrusted: anything malformed (not text, too big, nested too deep, numbers that are not
    numbers, the wrong type anywhere) comes back as LabError naming the file, where and what."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in (".json", ".toml"):
        raise LabError([f"{name}: expected a .json or .toml file"])
    if len(content) > MAX_IMPORT_BYTES:
        raise LabError([f"{name}: {len(content):,} bytes is more than a file of definitions needs "
                        f"(at most {MAX_IMPORT_BYTES:,})"])
    data = _parse(name, suffix, content)
    _refuse_if(_structure_problems(name, data))
    items = data.get("indicator") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise LabError([f"{name}: expected a non-empty list of declarations under 'indicator'"])
    if len(items) > MAX_IMPORT_DECLARATIONS:
        raise LabError([f"{name}: {len(items):,} declarations under 'indicator'; a file may hold at most "
                        f"{MAX_IMPORT_DECLARATIONS}"])
    builtin_ids = {b.id for b in builtin()}
    clashes = [f"{name}, indicator '{item['id']}': the id is a built-in indicator's; choose another"
               for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)
               and item["id"] in builtin_ids]
    try:
        indicators = load_declarations(items, name)
    except DeclarationError as exc:  # name every problem at once, clashes with built-ins too
        raise LabError([p.replace(": Value error, ", ": ") for p in str(exc).splitlines()] + clashes) from None
    _refuse_if([f"{name}, {p}" for ind in indicators for p in problems(ind)])
    return indicators


def _parse(name: str, suffix: str, content: bytes):
    """The file's data, or LabError saying why it cannot be read."""
    try:
        text = content.decode("utf-8")
        return json.loads(text) if suffix == ".json" else tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise LabError([f"{name}: not UTF-8 text (byte {exc.start})"]) from None
    except json.JSONDecodeError as exc:
        raise LabError([f"{name}, line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise LabError([f"{name}: not valid TOML ({exc})"]) from None
    except RecursionError:
        raise LabError([f"{name}: nested too deeply to read (a file of definitions nests at most "
                        f"{MAX_NESTING} levels)"]) from None
    except ValueError:  # the parsers' other refusal: a whole number of thousands of digits
        raise LabError([f"{name}: holds a number too long to read"]) from None


def _structure_problems(name: str, data) -> list[str]:
    """Nesting deeper than a declaration needs, and numbers that are not finite, each with where it is.

    Walked with a stack, not recursion, so no depth of nesting can crash the check itself."""
    found, stack = [], [(data, (), 1)]
    while stack and len(found) < 10:
        value, path, depth = stack.pop()
        where = ".".join(map(str, path)) or "the whole file"  # as pydantic names places: numerator.0.values
        if isinstance(value, float) and not math.isfinite(value):
            found.append(f"{name}, {where}: {value} is not a number a definition can hold")
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_NESTING:
            found.append(f"{name}, {where}: nested more than {MAX_NESTING} levels deep; a definition needs fewer")
            continue
        children = value.items() if isinstance(value, dict) else enumerate(value)
        stack += [(child, (*path, key), depth + 1) for key, child in reversed(list(children))]
    return found


def import_file(opened: OpenStore, actor: Principal, name: str, content: bytes, author: str) -> tuple[Indicator, ...]:
    """Save every declaration of a file, or none: one transaction, ids already here refused."""
    require(actor, "edit_candidates")
    indicators = read_file(name, content)
    author = author.strip()
    _refuse_if([] if author else ["Your name: needed, so others know who imported the file"])
    with opened.writing() as cur:
        taken = _stored_ids(cur)
        _refuse_if([f"{name}, indicator '{ind.id}': a saved candidate already has this id "
                    "(edit it in the lab, or change the id in the file)" for ind in indicators if ind.id in taken])
        for ind in indicators:
            _insert(cur, ind if ind.author else ind.model_copy(update={"author": author}), author)
    return indicators

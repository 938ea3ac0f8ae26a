"""What every page shares: the open store, the sidebar (store, mode), and figure cards."""
from __future__ import annotations

import sys
import threading
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Literal

import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from cl_metrics import access, benchmarks, charts, glossary, report, session, store, views, voice
from cl_metrics.access import accounts
from cl_metrics.access import log as access_log
from cl_metrics.disclosure import DEFAULT_THRESHOLD, count_text, rule_text
from cl_metrics.export import csv_text, file_name
from cl_metrics.text import plain
from synthetic.generate import DEFAULT_LIKE, DEFAULT_PEOPLE, DEFAULT_SEED, write_store

MODES = ["workshop", "analyst"]
# The words a link carries (?mode=Analyst+%28exact%29). Not "Workshop": that is a page.
MODE_LABELS = {"workshop": "Safe to share", "analyst": "Analyst (exact)"}
LINKED_MODES = {"Workshop": "workshop", "Analyst": "analyst"}  # ?mode= in links made before the modes were renamed
MODE_CAPTIONS = ["Rounded figures, small numbers hidden, no records: for workshops and reports",
                 "Exact figures for the data team: OFFICIAL-SENSITIVE"]
# Every page: its file, its title and its section; which of them a person may open is decided by
# cl_metrics.access (roles.toml's [pages]). Each url_path is its file's stem: a deep link opened
# first in a fresh server is looked up as a file in pages/ before st.navigation runs (see current).
PAGES = {
    "overview": ("pages/overview.py", "Overview", "Look"),
    "domain": ("pages/domain.py", "Domains", "Look"),
    "voice": ("pages/voice.py", "Voice", "Look"),
    "lab": ("pages/lab.py", "Indicator lab", "Shape"),
    "workshop": ("pages/workshop.py", "Workshop", "Shape"),
    "data_map": ("pages/data_map.py", "Data map", "Data"),
    "data_quality": ("pages/data_quality.py", "Data quality", "Data"),
    "data": ("pages/data.py", "Import and store", "Data"),
}
JOIN_PAGE = ("pages/join.py", "Join a workshop")
PROJECTOR_PAGE = ("pages/projector.py", "Projector", "projector")
View = Literal["staff", "join", "projector"]
SIGN_IN_PAGE = ("pages/sign_in.py", "Staff sign-in", "sign_in")
STAFF_COOKIE = "cl_staff_session"  # a local account's signed session token (accounts.session_token)


@dataclass(frozen=True)
class Context:
    """What a page needs: the store, its summary, who is asking, the year, the mode and the threshold.

    `view` is "staff" (the app with its sidebar), "join" (a participant's phone: a join link or code,
    and nothing else of the app) or "projector" (the room's screen: no chrome at all)."""
    opened: session.OpenStore
    summary: store.StoreSummary
    actor: access.Principal
    setup: access.SignInSetup
    year: int | None
    mode: str
    threshold: int
    view: View = "staff"

    def cursor(self):
        return self.opened.cursor()

    def log(self, event: str, detail: str | None = None, once: bool = False) -> None:
        """An entry in the store's access log for this person (`once`: the first time this session)."""
        (access_log.record_once if once else access_log.record)(self.opened, self.actor, event, detail)


_BUILDING = threading.Lock()  # one session builds the missing default store; the others wait for it


@st.cache_resource(show_spinner=False)
def open_store(path: str) -> session.OpenStore:
    """The process-wide store, opened once. Draws nothing: elements drawn inside a cached function are
    replayed on every run, so the first start's progress box lives in `build_default_store`."""
    return session.open_store(path)


def build_default_store(path: str) -> None:
    """On first start, build the missing default store from synthetic data with a progress bar, then
    start the run again so the box is gone once the store is ready."""
    if path != str(store.DEFAULT_STORE.resolve()) or store.DEFAULT_STORE.exists():
        return
    with _BUILDING:
        if not store.DEFAULT_STORE.exists():  # nobody built it while this session waited
            with st.status("First start: building the synthetic demonstration store", expanded=True) as status:
                bar = st.progress(0.0, text="Starting")
                write_store(path, people=DEFAULT_PEOPLE, seed=DEFAULT_SEED, like=DEFAULT_LIKE,
                            progress=lambda fraction, label: bar.progress(min(fraction, 1.0), text=label.capitalize()))
                status.update(label="Synthetic store ready", state="complete", expanded=False)
    st.rerun()


def secrets_section(name: str) -> dict:
    """A section of Streamlit's secrets (`.streamlit/secrets.toml`), empty when there is none."""
    try:
        return dict(st.secrets.get(name) or {})
    except FileNotFoundError:  # no secrets file at all: nothing is configured
        return {}


def sign_in_setup() -> access.SignInSetup:
    """Which ways of signing in this installation offers (read on every run: a new account counts at once)."""
    try:
        local = bool(accounts.accounts())
    except accounts.AccountError as exc:
        st.error(plain(exc))
        local = False
    return access.SignInSetup(identity_provider=bool(secrets_section("auth")), local_accounts=local)


def who_is_asking(source: str, setup: access.SignInSetup) -> access.Principal:
    """This session's person: a local account signed in here, else the identity provider's user, else a
    visitor; roles come from sign-in and the store, never from the URL."""
    state = st.session_state
    state.setdefault("_session", uuid.uuid4().hex)
    token = st.context.cookies.get(STAFF_COOKIE)
    if (state.get("_local_account") is None and isinstance(token, str) and setup.local_accounts
            and not state.get("_signed_out")):
        state["_local_account"] = accounts.from_token(token)  # a reload or a new tab stays signed in
    if (local := state.get("_local_account")) is not None and setup.local_accounts:
        actor = access.signed_in(local.name, local.role, "local account", source, setup)
    elif setup.identity_provider and st.user.get("is_logged_in", False):
        claims = st.user.to_dict()
        name = str(claims.get("email") or claims.get("preferred_username") or claims.get("sub") or "unknown")
        actor = access.signed_in(name, access.role_from_claims(claims, secrets_section("access")),
                                 "identity provider", source, setup)
    else:
        actor = access.visitor(source, setup)
    return replace(actor, session=state["_session"])


def _open() -> session.OpenStore:
    path = str(session.store_path_from(sys.argv[1:]))
    build_default_store(path)
    try:
        return open_store(path)
    except store.StoreError as exc:
        st.error(plain(exc))
        st.stop()


def start():
    """Open the store, find who is asking, route the URL and draw the shared sidebar; once per run, from app.py.

    Returns the context and the page to run. A join link (`?code=`), or a visitor who may only join,
    gets the phone view; a facilitator's `?room=` gets the projector view: one page each, no menu,
    no sidebar at all."""
    opened = _open()
    summary = opened.summary()
    setup = sign_in_setup()
    actor = who_is_asking(summary.source, setup)
    view: View = "staff"
    if st.query_params.get("code") or not actor.may("view_pages"):
        view = "join"
    elif st.query_params.get("room") and actor.may("run_workshops"):
        view = "projector"
    page = navigation(actor, setup, view)  # before the sidebar: its page links need the pages
    keep_staff_cookie()
    if view != "staff":
        latest = summary.years[-1] if summary.years else None
        return Context(opened, summary, actor, setup, latest, "workshop", DEFAULT_THRESHOLD, view), page
    ctx = sidebar(opened, summary, actor, setup)
    log_changes(ctx)
    return ctx, page


def sidebar(opened: session.OpenStore, summary: store.StoreSummary, actor: access.Principal,
            setup: access.SignInSetup) -> Context:
    """The store, the year, the mode (offered to analysts only), the threshold and who is signed in."""
    with st.sidebar:
        real = summary.source == "real"
        about = st.empty()  # filled once the mode is known: the count of young people is protected too
        year = st.selectbox("Collection year (ending 31 March)", summary.years[::-1], key="year",
                            bind="query-params", help=glossary.explain("collection_year")) if summary.years else None
        requested = "workshop"
        if actor.may("analyst_mode"):  # nobody else is offered the switch, and a URL cannot raise it
            if (linked := st.query_params.get("mode")) in LINKED_MODES:
                st.session_state["mode"] = LINKED_MODES[linked]
                st.query_params["mode"] = MODE_LABELS[LINKED_MODES[linked]]
            requested = st.radio("Mode", MODES, index=0 if real else 1, format_func=MODE_LABELS.get, key="mode",
                                 captions=MODE_CAPTIONS, bind="query-params",
                                 help=glossary.explain("safe_to_share", "exact_mode"))
        mode = access.mode_for(actor, requested)
        threshold = DEFAULT_THRESHOLD
        if mode == "workshop":
            threshold = st.number_input("Hide counts below", min_value=DEFAULT_THRESHOLD, max_value=50,
                                        value=DEFAULT_THRESHOLD, key="threshold",
                                        help=f"Can be raised for a cautious audience, never below {DEFAULT_THRESHOLD}.")
            st.caption(rule_text(int(threshold)),
                       help=glossary.explain("fewer_than", "suppressed", "secondary_suppression", "rounding"))
        else:
            st.caption("Nothing is hidden in analyst mode.")
        account_box(actor)
    about.markdown(f"**Store:** {plain(opened.path.name)}  \n"
                   + f"**{plain(views.source_label(summary))}**"
                   + f"  \n{count_text(summary.young_people, int(threshold), mode)} young people"
                   + (f" across {summary.years[0]}-{summary.years[-1]}" if len(summary.years) > 1 else ""))
    return Context(opened, summary, actor, setup, year, mode, int(threshold))


def log_changes(ctx: Context) -> None:
    """Sign-ins and switches into analyst mode go to the access log, once each time they happen."""
    state = st.session_state
    who = (ctx.actor.name, ctx.actor.how) if ctx.actor.signed_in else None
    if who and state.get("_logged_in_as") != who:
        ctx.log("signed in")
    state["_logged_in_as"] = who
    if ctx.mode == "analyst" and state.get("_last_mode") != "analyst":
        ctx.log("switched to analyst mode")
    state["_last_mode"] = ctx.mode


def account_box(actor: access.Principal) -> None:
    """Who the sidebar thinks you are, and the way to sign in or out."""
    st.divider()
    if actor.signed_in:
        st.caption(f"Signed in as {plain(actor.name)} ({access.label(actor.role).lower()})")
        st.button("Sign out", key="sign_out", on_click=sign_out, args=(actor,))
    elif actor.how == "open demo":
        st.caption("Open demo: no sign-in")
    else:
        st.caption(f"Not signed in ({access.label(actor.role).lower()})")
        st.page_link(SIGN_IN_PAGE[0], label="Staff sign-in", icon=":material/login:")


def sign_out(actor: access.Principal) -> None:
    """Button callback: log it, forget a local account, end an identity provider's session."""
    ctx = current()
    ctx.log("signed out")
    if st.session_state.pop("_local_account", None) is not None:
        st.session_state["_staff_cookie"] = ""  # cleared on the next run
        st.session_state["_signed_out"] = True  # this session's cookie header still holds the old token
    if actor.how == "identity provider":
        st.logout()


def set_cookie(name: str, value: str, max_age: int) -> None:
    """Set (or, with max_age 0, clear) a cookie in this browser. Streamlit cannot set one from Python,
    so a line of script does it; values are our own tokens (letters, digits, - _ | .), never typed text."""
    st.html(f"<script>document.cookie = '{name}={value}; path=/; max-age={max_age}; SameSite=Strict';</script>",
            unsafe_allow_javascript=True)


def keep_staff_cookie() -> None:
    """Set (a token) or clear ("") the local account's session cookie once, after a sign-in or sign-out."""
    if (token := st.session_state.pop("_staff_cookie", None)) is not None:
        set_cookie(STAFF_COOKIE, token, accounts.SESSION_SECONDS if token else 0)


def banners(ctx: Context) -> None:
    """What every staff page says first about where it stands: an open demo, analyst mode, no sign-in."""
    if ctx.actor.how == "open demo":
        st.info("**Open demo.** Made-up young people, and no sign-in is set up, so every page is open to anyone "
                "who can reach this address. Set up sign-in before loading real data (see README, 'Sign-in').",
                icon=":material/science:")
    if ctx.mode == "analyst":
        st.warning("**Analyst mode: exact figures, nothing hidden. OFFICIAL-SENSITIVE: not for sharing.** "
                   "Downloads are marked and logged.", icon=":material/lock:")
    elif ctx.summary.source == "real" and not ctx.setup.configured:
        st.info("**Safe to share only.** This store holds real data and no sign-in is set up, so figures are "
                "rounded and small numbers hidden for everyone. Workshops, the lab, analyst mode and imports "
                "need sign-in: see Staff sign-in.", icon=":material/lock:")


def navigation(actor: access.Principal, setup: access.SignInSetup, view: View):
    """The pages this person may open; the phone and projector views have one page and no menu."""
    sign_in = st.Page(SIGN_IN_PAGE[0], title=SIGN_IN_PAGE[1], url_path=SIGN_IN_PAGE[2])
    if view == "projector":
        return st.navigation([st.Page(PROJECTOR_PAGE[0], title=PROJECTOR_PAGE[1], default=True, url_path="room"),
                              st.Page(PROJECTOR_PAGE[0], title=PROJECTOR_PAGE[1], url_path=PROJECTOR_PAGE[2])],
                             position="hidden")
    if view == "join":  # the join link's /workshop, and the root for a bare visit (a default page lives at "/")
        pages = [st.Page(JOIN_PAGE[0], title=JOIN_PAGE[1], default=True),
                 st.Page(JOIN_PAGE[0], title=JOIN_PAGE[1], url_path="workshop")]
        if not st.query_params.get("code") and setup.configured:
            pages.append(sign_in)  # staff reach sign-in from the bare join page, never from a card
        return st.navigation(pages, position="hidden")
    allowed = access.pages_for(actor)
    sections: dict[str, list] = {}
    for page, (path, title, section) in PAGES.items():
        if page in allowed:
            sections.setdefault(section, []).append(st.Page(path, title=title, url_path=page,
                                                            default=page == allowed[0]))
        elif page == "workshop":  # whoever may not run workshops may still join one with its code
            sections.setdefault(section, []).append(st.Page(JOIN_PAGE[0], title=JOIN_PAGE[1], url_path=page))
    sections["Account"] = [sign_in]
    return st.navigation(sections)


def current() -> Context:
    """The context app.py opened for this run.

    A deep link (a workshop join link, say) opened first in a fresh server runs the page file
    without app.py: Streamlit still takes a folder named pages/ for an old-style multipage app
    until st.navigation has run once in the process. Then switch that off and run again, so
    app.py runs, decides who is asking, and routes the same URL. Two such links arriving together
    both run alone, and the second finds the switch already off: its missing context says so.
    """
    if PagesManager.uses_pages_directory or "_context" not in st.session_state:
        PagesManager.uses_pages_directory = False
        st.rerun()
    return st.session_state["_context"]


def require_records(ctx: Context) -> None:
    """Stop a page that shows figures when the store holds no year of records yet."""
    if ctx.year is None:
        st.info("This store holds no records yet. Import files on the Import and store page, "
                "or build a synthetic store.")
        st.stop()


def bullets(lines) -> str:
    """Markdown list of messages that may quote a file or a form, each escaped."""
    return "\n".join(f"- {plain(line)}" for line in lines)


def theme_button(theme: str) -> str:
    """A theme's label for a pill button (pills render Markdown; themes come from imported notes)."""
    return plain(voice.theme_label(theme))


def status_badge(status: str) -> str:
    """Status in words and a shape, never colour alone."""
    return {"established": "■ Established", "prototype": "◆ Prototype",
            "candidate": "○ Candidate"}.get(status, status)


def figure_card(row: pd.Series) -> None:
    """One indicator: its plain question, figure, national comparison, whose voice and status; with
    cl_metrics.change's columns, the change since last year in an arrow and words, its small trend
    and (analyst mode) 'n of N'."""
    with st.container(border=True):
        st.markdown(f"**{plain(row['title'])}**  \n{plain(row['question'])}")
        changed = "change_text" in row
        st.metric(plain(row["title"]), row["display"], label_visibility="collapsed",
                  delta=row["change_label"] if changed else None, delta_color=row.get("change_tone", "normal"),
                  delta_arrow="off", help=glossary.explain("change", "trend") if changed else None)
        if changed:  # by how much, under the arrow and word the figure already carries
            st.caption(row["change_text"].removeprefix(f"{row['change_label']}: "))
        if changed and len(row["trend"]) > 1:
            st.altair_chart(charts.sparkline(row["trend"], row["trend_years"], f"{row['title']}: figure by year"),
                            width="content", theme=None)
        if row.get("count_of"):
            st.caption(f"{row['count_of']} (exact)", help=glossary.explain("n_of_n"))
        details = [status_badge(row["status"]), row["voice_label"]]
        if row.get("origin"):
            details.append(plain(row["origin"]))  # a workshop's name
        st.caption(" · ".join(details), help=glossary.explain(row["status"], "whose_voice"))
        if row.get("comparators"):
            st.caption(plain(row["comparators"]), help=glossary.explain("comparator", "statistical_neighbours",
                                                                         "quartile"))


def glossary_list() -> None:
    """Every term the app explains, in one place (the same words as each "?" beside them)."""
    with st.expander("What the words mean", icon=":material/help:"):
        st.markdown("\n\n".join(f"**{plain(t.term)}**: {plain(t.meaning)}" for t in glossary.terms().values()))


def download(frame: pd.DataFrame, name: str, label: str = "Download CSV") -> None:
    """A table as a CSV file: formula cells neutralised; in analyst mode marked and its download logged."""
    ctx = current()
    offer(csv_text(frame, ctx.mode).encode(), file_name(name, ctx.mode), label, "text/csv", f"download_{name}")


def offer(data, named: str, label: str, mime: str, key: str) -> None:
    """A download button for `data` (bytes, or a function making them when clicked); in analyst mode
    the file is named as marked and its download logged."""
    ctx = current()
    st.download_button(label, data, file_name=named, mime=mime, key=key,
                       on_click=(ctx.log if ctx.mode == "analyst" else "ignore"),
                       args=("downloaded", named) if ctx.mode == "analyst" else None)


def report_download(ctx: Context, sections: list, title: str, scope: str, name: str) -> None:
    """A button that makes the printable A4 report of `sections` (change.overview's) when clicked: what
    the page shows, in the page's mode."""
    about = report.About(title, ctx.opened.path.name, views.source_label(ctx.summary), ctx.year, ctx.mode,
                         ctx.threshold, scope, datetime.now(timezone.utc))
    offer(lambda: report.build(sections, about).encode(), file_name(name, ctx.mode, ".html"),
          "Printable report (A4, opens in a browser)", "text/html", f"report_{name}")


def grid(items: pd.DataFrame | Sequence, per_row: int) -> Iterator[tuple]:
    """(column, item) for each row of a table or item of a list, laid out `per_row` to a line, read left to
    right: as many lines as there are items (a ninth domain or local table gets a place too)."""
    items = [row for _, row in items.iterrows()] if isinstance(items, pd.DataFrame) else list(items)
    for start in range(0, len(items), per_row):
        yield from zip(st.columns(per_row), items[start:start + per_row])


def card_grid(figures: pd.DataFrame) -> None:
    """Indicator cards in rows of four."""
    for column, row in grid(figures, 4):
        with column:
            figure_card(row)


def show_statements(words: pd.DataFrame, columns: int = 3) -> None:
    """Young people's own words as quotes, with their domain and theme (never who or when)."""
    if words.empty:
        st.info("No young person has shared words on this yet (or none consented to sharing them).")
        return
    for column, row in grid(words, columns):
        with column.container(border=True):
            st.markdown(f"“{plain(row['text'])}”")
            st.caption(f"{plain(row['domain'])} · {plain(row['theme'])}")


# ---- comparators (issue 14): another authority beside the store's figures, kept in the URL
def compare_picker(ctx: Context) -> str | None:
    """Another authority to put beside the figures (its 3-digit code): the research's two sites one
    click away, any other from the list; None for none."""
    others = [a.code for a in benchmarks.authorities() if a.code != ctx.summary.authority]
    quick = [*(c for c in benchmarks.RESEARCH_SITES if c in others), None]
    picker, *buttons = st.columns([3] + [1] * len(quick), vertical_alignment="bottom")
    for column, code in zip(buttons, quick):
        column.button(plain(benchmarks.areas()[code].name) if code else "No other", key=f"compare_{code or 'none'}",
                      on_click=_choose, args=(code,))
    return picker.selectbox("Compare with another authority (DfE's published figures)", [None, *others],
                            format_func=lambda c: "No other authority" if c is None else benchmarks.areas()[c].label,
                            key="compare", bind="query-params")


def _choose(code: str | None) -> None:
    """A one-click button's choice becomes the picker's."""
    st.session_state["compare"] = code


# ---- messages where the person is looking (issue 16): a form's outcome, just below the button that caused it
def say(key: str, kind: Literal["success", "info", "warning", "error"], markdown: str) -> None:
    """Keep a callback's outcome for the next run, for `said_here(key)` below its button. `markdown` is
    the caller's own words, anything untrusted in it already through plain()."""
    st.session_state.setdefault(f"_said_{key}", []).append((kind, markdown))


def said_here(key: str) -> None:
    """Show, once, what `say(key, ...)` kept, where this is called: just below the button."""
    if messages := st.session_state.pop(f"_said_{key}", None):
        with st.container(key=f"said_{key}"):
            for kind, markdown in messages:
                getattr(st, kind)(markdown)
            bring_into_view(f"said_{key}")


def bring_into_view(key: str) -> None:
    """Scroll the container with this key into view. The page keeps its scroll position on the run after
    a click, so a message below a button at the bottom edge of the screen would be out of sight."""
    st.html(f"<script>document.querySelector('.st-key-{key}')"
            ".scrollIntoView({block: 'nearest', behavior: 'instant'});</script>", unsafe_allow_javascript=True)

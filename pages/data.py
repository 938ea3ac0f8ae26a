"""Import and store: which store is open, importing the authority's files, what was refused, templates,
synthetic data."""
import streamlit as st

from cl_metrics import benchmarks
from cl_metrics.access import log as access_log
from cl_metrics.ingest import admin
from pages.common import bring_into_view, current, download, grid, plain
from synthetic.generate import regenerate

ctx = current()
analyst = ctx.mode == "analyst"  # only analysts are offered analyst mode (cl_metrics.access)
synthetic = ctx.summary.source == "synthetic"
con = ctx.cursor()
st.title("Import and store")

st.subheader("The open store")
st.markdown(admin.describe_store(ctx.summary, ctx.mode, ctx.threshold))
if not synthetic and analyst:  # a twin copies the authority it was built like; a real store says whose it is
    codes = [None, *(area.code for area in benchmarks.authorities())]
    chosen = st.selectbox("Whose records are these?", codes, index=codes.index(ctx.summary.authority),
                          format_func=lambda c: "Not said" if c is None else benchmarks.areas()[c].label,
                          key="data_authority", help="Figures are then shown beside the authority's region and its "
                                                     "statistical neighbours (DfE's published figures).")
    if chosen != ctx.summary.authority and st.button("Save whose records these are", key="data_authority_save"):
        with ctx.opened.exclusive() as cursor:
            admin.set_authority(cursor, ctx.actor, chosen)
        st.rerun()


def show_outcome(outcome: admin.Upload) -> None:
    for kind, text in admin.report_messages(outcome):
        getattr(st, kind)(plain(text))  # kind is one of success, info, warning, error; file text never Markdown
    if outcome.report:
        table = admin.report_table(outcome.report)
        st.dataframe(table, hide_index=True, key="import_report")
        download(table, "import_report", "Download this report (CSV)")


st.subheader("Import the authority's files")
st.markdown("The SSDA903 files the authority already sends to DfE, as CSV (header, episodes, oc2, oc3, missing, "
            "reviews, uasc, ad1, placed_for_adoption, previous_permanence, sw_episodes, dolo) or as the XML return, "
            "and the templates below for what the return lacks. Each file is checked against its own collection "
            "year's rules: a value that breaks one loads and is flagged (see Data quality); only rows with no id "
            "or the wrong number of fields are refused. Nothing stored is changed or removed unless you confirm it.")
if not analyst:
    st.info("Importing is done in analyst mode: switch mode in the sidebar." if ctx.actor.may("import_files")
            else "Importing is for a signed-in analyst: see Staff sign-in.")
else:
    key_problem = admin.key_problem()
    if key_problem:
        st.error(plain(key_problem))
    round_ = st.session_state.setdefault("data_upload_round", 0)
    files = st.file_uploader("CSV or XML files", type=["csv", "xml"], accept_multiple_files=True,
                             key=f"data_upload_{round_}")
    year = st.number_input("Collection year (the year ending 31 March)", min_value=2000, max_value=2100,
                           value=None, step=1, placeholder="Read from each file's name", key="data_year",
                           help="Needed when a file's name does not hold its year (e.g. oc3_2023-24.csv).")
    replace = False
    if synthetic:
        replace = st.checkbox("Replace the synthetic data with real data", key="data_replace")
        st.caption("This store holds synthetic data, and real files are never mixed into it. Ticking the box "
                   "deletes every synthetic record (and the seed) in this store file before your files load; "
                   "workshop answers and candidate indicators are kept. The store then holds real data only "
                   "and opens in workshop mode.")
    def run_import(chosen: list[tuple[str, bytes]], **confirmed: bool) -> None:
        bar = st.progress(0.0, text="Starting")
        with ctx.opened.exclusive() as cursor:
            outcome = admin.upload(cursor, ctx.actor, chosen, int(year) if year else None, replace, **confirmed,
                                   progress=lambda fraction, label: bar.progress(fraction, text=label))
        st.session_state["data_last_upload"] = outcome
        st.session_state["data_pending"] = chosen if outcome.needs_confirmation else None
        st.session_state["data_upload_round"] = round_ + 1  # a fresh, empty uploader
        st.session_state["data_just_imported"] = True
        st.rerun()  # so the sidebar says what the store holds now

    if st.button("Import", type="primary", disabled=bool(key_problem) or not files, key="data_import"):
        run_import([(f.name, f.getvalue()) for f in files])
    if "data_last_upload" in st.session_state:  # kept until the next import: the confirm step below needs it
        with st.container(key="data_outcome"):
            show_outcome(st.session_state["data_last_upload"])
        if st.session_state.pop("data_just_imported", False):
            bring_into_view("data_outcome")
    if st.session_state.get("data_pending"):  # the confirm step for files held back
        st.markdown("**Confirm before anything stored changes.** The files held back above would change or remove "
                    "stored rows, or are over a safety limit. Read what each would do, then choose:")
        confirm_replace = st.checkbox("Replace the stored rows of these tables and years with the files' rows",
                                      key="data_confirm_replace")
        confirm_force = st.checkbox("Go ahead even where a file is over a safety limit (refused rows, rows removed, "
                                    "stored values becoming unknown)", key="data_confirm_force")
        if st.button("Import again as confirmed", disabled=not (confirm_replace or confirm_force),
                     key="data_import_confirmed"):
            run_import(st.session_state["data_pending"], replace=confirm_replace, force=confirm_force)

st.subheader("Import history")
history = admin.history_table(con, ctx.mode, ctx.threshold)
if history.empty:
    st.info("Nothing has been imported into this store yet.")
else:
    st.dataframe(history, hide_index=True, key="import_history")
    download(history, "import_history", "Download the import history (CSV)")

st.subheader("Refused rows")
refusals = admin.refusals_table(con, ctx.mode, ctx.threshold)
if refusals.empty:
    st.info("No row has been refused.")
else:
    st.markdown("Problems counted by file and field: what to correct in the case-management system.")
    st.dataframe(refusals, hide_index=True, key="refusal_summary")
    download(refusals, "refusal_summary", "Download the counts (CSV)")
    if analyst:
        rows = admin.refused_rows(con, ctx.actor)
        ctx.log("viewed records", "refused rows", once=True)
        st.markdown(f"**The refused rows** (first {admin.RAW_ROW_LIMIT:,}): the text as it was in the file, "
                    "ids pseudonymised, and why each was refused.")
        st.dataframe(rows, hide_index=True, key="refused_rows")
        download(rows, "refused_rows", "Download the refused rows (CSV)")
    else:
        st.info("Workshop mode hides the refused rows themselves, because each is one young person's record. "
                "Switch to analyst mode to see them.")

st.subheader("Templates for what the national return lacks")
st.markdown("One CSV per local table: the header row and example rows. Columns and codes are documented in "
            "`data/README.md`. Fill one in and import it above.")
for column, template in grid(admin.templates(), 2):
    column.download_button(template.title, template.data, file_name=f"{template.table}.csv", mime="text/csv",
                           key=f"template_{template.table}", icon=":material/download:")

settings = admin.synthetic_settings(con) if synthetic and analyst else None
if settings:
    st.subheader("Regenerate the synthetic data")
    st.markdown("Replaces the made-up young people in this store file; the lab's candidates and the workshops "
                "stay. The same seed and number of young people always give the same data.")
    with st.form("regenerate"):
        twin = ctx.summary.authority is not None  # a twin is made at its authority's own size
        people = st.number_input("People to generate", min_value=admin.MIN_PEOPLE, max_value=admin.MAX_PEOPLE,
                                 value=settings[0], step=100, key="regenerate_people", disabled=twin,
                                 help="A twin has its authority's own number of young people." if twin else None)
        seed = st.number_input("Seed", min_value=0, max_value=2**31 - 1, value=settings[1], step=1,
                               key="regenerate_seed")
        if st.form_submit_button("Regenerate"):
            bar = st.progress(0.0, text="Starting")
            admin.regenerate_synthetic(ctx.opened, ctx.actor, int(people), int(seed), regenerate,
                                       progress=lambda fraction, label: bar.progress(fraction, text=label))
            st.session_state.pop("data_last_upload", None)
            st.rerun()

if analyst:
    st.subheader("Access log")
    st.markdown("Who signed in, switched to analyst mode, imported, viewed single records or downloaded in "
                "analyst mode, and when; never the data itself. The command line prints it too: "
                "`python -m cl_metrics audit --db PATH`.")
    log = access_log.entries(con, ctx.actor, limit=500)
    st.dataframe(log, hide_index=True, key="access_log")
    download(log, "access_log", "Download the access log (CSV)")

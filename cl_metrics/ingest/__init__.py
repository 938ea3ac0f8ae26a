"""Load an authority's SSDA903 files (CSV or XML, any collection year) and local CSV templates into
the store: load and flag, compare with what is stored before writing, never lose a row by accident.

Never imports streamlit. Public API:
    import_files(con, paths, year=None, progress=None, *, replace_synthetic=False, replace=False, force=False,
                 dry_run=False) -> ImportReport
    remove(con, table, year) -> rows removed
    import_uploaded(con, name, data, year=None, progress=None, *, replace_synthetic=False) -> ImportReport
    import_history(con), rejected_rows(con, batch_id=None), rejection_summary(con, batch_id=None)
    template_path(table), TEMPLATE_DIR
"""
from cl_metrics.ingest.history import import_history, rejected_rows, rejection_summary
from cl_metrics.ingest.loader import CHUNK_ROWS, import_files, import_uploaded, remove
from cl_metrics.ingest.pseudonym import KEY_ENV, PseudonymKeyError
from cl_metrics.ingest.report import FileReport, ImportRefused, ImportReport
from cl_metrics.ingest.templates import TEMPLATE_DIR, template_path

__all__ = ["import_files", "import_uploaded", "import_history", "rejected_rows", "rejection_summary",
           "ImportReport", "FileReport", "ImportRefused", "PseudonymKeyError", "KEY_ENV", "CHUNK_ROWS",
           "TEMPLATE_DIR", "template_path", "remove"]

"""What an import did, file by file, in a form the CLI prints and the Data page shows."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Status = Literal["loaded", "refused", "skipped"]


class FileRefused(Exception):
    """A whole file refused (not a 903/template file, empty, wrong delimiter...): nothing loaded."""


class ImportRefused(RuntimeError):
    """The whole import call refused before anything changed (e.g. a synthetic store)."""


@dataclass
class FileReport:
    """One file: which table it was, what loaded, what was refused and why."""
    file_name: str
    status: Status = "refused"
    table: str | None = None
    collection_year: int | None = None
    year_source: str | None = None  # "--year", "file name" or None for tables without a year
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_replaced: int = 0
    blank_lines: int = 0
    warnings: list[str] = field(default_factory=list)
    reason: str | None = None  # why refused whole, or why skipped
    batch_id: str | None = None
    content_hash: str | None = None
    top_reasons: list[tuple[str, int]] = field(default_factory=list)

    def summary(self) -> str:
        """One line a person can read."""
        if self.status == "refused":
            return f"{self.file_name}: REFUSED, nothing loaded. {self.reason}"
        if self.status == "skipped":
            return f"{self.file_name}: skipped, {self.reason}"
        year = f" {self.collection_year}" if self.collection_year is not None else ""
        text = (f"{self.file_name}: {self.table}{year}: {self.rows_loaded:,} rows loaded, "
                f"{self.rows_rejected:,} refused")
        if self.rows_rejected:
            text += f" (see rejected_row, batch {self.batch_id})"
        return text


@dataclass
class ImportReport:
    """Every file of one import call; the call was one transaction."""
    files: list[FileReport] = field(default_factory=list)

    @property
    def any_refused(self) -> bool:
        return any(f.status == "refused" for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    def rows(self) -> list[dict]:
        """Plain dicts, one per file, for st.dataframe or a CSV download."""
        return [{"file": f.file_name, "status": f.status, "table": f.table,
                 "collection_year": f.collection_year, "loaded": f.rows_loaded,
                 "refused": f.rows_rejected, "replaced": f.rows_replaced,
                 "warnings": "; ".join(f.warnings), "reason": f.reason, "batch_id": f.batch_id}
                for f in self.files]

    def text(self) -> str:
        """The report the CLI prints."""
        lines = []
        for f in self.files:
            lines.append(f.summary())
            lines += [f"    warning: {w}" for w in f.warnings]
            lines += [f"    refused {n:,} x {reason}" for reason, n in f.top_reasons]
        loaded = sum(1 for f in self.files if f.status == "loaded")
        lines.append(f"{loaded} of {len(self.files)} files loaded: {self.rows_loaded:,} rows, "
                     f"{self.rows_rejected:,} rows refused.")
        return "\n".join(lines)

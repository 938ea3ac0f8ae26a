"""What an import did, file by file, in a form the CLI prints and the Data page shows."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from cl_metrics.rules import rule
from cl_metrics.spec import year_label

# loaded: written (or, in a dry run, would be); unchanged: the store already holds every row;
# held: not written, because it would change or remove stored rows without --replace, or is over a
# safety limit without --force; refused: nothing in it could be used.
Status = Literal["loaded", "unchanged", "held", "refused"]


class FileRefused(Exception):
    """A whole file refused (not a 903/template file, empty, wrong delimiter...): nothing loaded."""


class ImportRefused(RuntimeError):
    """The whole import call refused before anything changed (a synthetic store, another key...)."""


@dataclass
class FileReport:
    """One file (one table of it, for an XML return): what loaded, what it did to the store, why."""
    file_name: str
    status: Status = "refused"
    table: str | None = None
    collection_year: int | None = None
    year_source: str | None = None  # "--year", "file name" or None for tables without a year
    rows_loaded: int = 0      # rows of the file that can be placed (stored, or already stored)
    rows_rejected: int = 0    # rows refused: no id, unreadable, the wrong number of fields
    rows_added: int = 0
    rows_changed: int = 0
    rows_removed: int = 0
    rows_stored_before: int = 0
    lost: dict[str, int] = field(default_factory=dict)  # field -> stored values becoming unknown or flagged
    flags: dict[str, int] = field(default_factory=dict)  # rule id -> flags on this file's table and year
    blank_lines: int = 0
    warnings: list[str] = field(default_factory=list)
    reason: str | None = None  # why refused whole, held back or unchanged
    batch_id: str | None = None
    content_hash: str | None = None
    top_reasons: list[tuple[str, int]] = field(default_factory=list)

    @property
    def rows_replaced(self) -> int:
        """Stored rows this file changed or removed."""
        return self.rows_changed + self.rows_removed

    @property
    def rows_flagged(self) -> int:
        return sum(self.flags.values())

    @property
    def refused_share(self) -> float:
        total = self.rows_loaded + self.rows_rejected
        return self.rows_rejected / total if total else 0.0

    def where(self) -> str:
        year = f" {year_label(self.collection_year)}" if self.collection_year is not None else ""
        return f"{self.table}{year}"

    def diff_text(self) -> str:
        text = (f"{self.rows_added:,} added, {self.rows_changed:,} changed, {self.rows_removed:,} removed "
                f"(the store held {self.rows_stored_before:,})")
        if self.lost:
            text += "; stored values becoming unknown or flagged: " + ", ".join(
                f"{name} {n:,}" for name, n in self.lost.items())
        return text

    def summary(self) -> str:
        """One line a person can read."""
        if self.status == "refused":
            return f"{self.file_name}: REFUSED, nothing loaded. {self.reason}"
        counts = f"{self.rows_loaded:,} rows loaded, {self.rows_flagged:,} flags, {self.rows_rejected:,} refused"
        if self.status == "held":
            return f"{self.file_name}: {self.where()}: HELD BACK, nothing changed. {self.reason} ({counts}; {self.diff_text()})"
        if self.status == "unchanged":
            return f"{self.file_name}: {self.where()}: unchanged: {self.reason} ({counts})"
        text = f"{self.file_name}: {self.where()}: {counts}; {self.diff_text()}"
        if self.rows_rejected:
            text += f" (refused rows: see rejected_row, batch {self.batch_id})"
        return text


@dataclass
class ImportReport:
    """Every file of one import call; the call was one transaction (rolled back in a dry run)."""
    files: list[FileReport] = field(default_factory=list)
    dry_run: bool = False

    @property
    def any_refused(self) -> bool:
        return any(f.status == "refused" for f in self.files)

    @property
    def any_held(self) -> bool:
        return any(f.status == "held" for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files if f.status == "loaded")

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files if f.status == "loaded")

    def rows(self) -> list[dict]:
        """Plain dicts, one per file, for st.dataframe or a CSV download."""
        return [{"file": f.file_name, "status": f.status, "table": f.table, "collection_year": f.collection_year,
                 "loaded": f.rows_loaded, "flags": f.rows_flagged, "refused": f.rows_rejected,
                 "added": f.rows_added, "changed": f.rows_changed, "removed": f.rows_removed,
                 "replaced": f.rows_replaced, "lost": "; ".join(f"{k} {v}" for k, v in f.lost.items()),
                 "warnings": "; ".join(f.warnings), "reason": f.reason, "batch_id": f.batch_id}
                for f in self.files]

    def text(self) -> str:
        """The report the CLI prints."""
        lines = []
        for f in self.files:
            lines.append(f.summary())
            lines += [f"    warning: {w}" for w in f.warnings]
            lines += [f"    flagged {n:,} x {rule_id}: {rule(rule_id).title}" for rule_id, n in f.flags.items()]
            lines += [f"    refused {n:,} x {reason}" for reason, n in f.top_reasons]
        done = sum(1 for f in self.files if f.status == "loaded")
        verb = "would load" if self.dry_run else "loaded"
        lines.append(f"{done} of {len(self.files)} files {verb}: {self.rows_loaded:,} rows, "
                     f"{self.rows_rejected:,} rows refused." + (" Dry run: nothing was written." if self.dry_run else ""))
        return "\n".join(lines)

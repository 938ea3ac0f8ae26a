"""Stream a CSV file as records, remembering each record's line number.

Reads bytes line by line (bounded line length) so a large file never sits in memory, decodes
each line as UTF-8 on its own so one bad byte refuses one row rather than the whole file, and
lets the standard csv module handle quoting (including quoted line breaks).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import BinaryIO, Iterator

from cl_metrics.ingest.report import FileRefused

BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
MAX_LINE_BYTES = 1 << 20  # a CSV line longer than 1 MiB is not a 903 or template row


@dataclass
class Record:
    line: int           # physical line where the record starts (the header is line 1)
    fields: list[str]   # stripped of surrounding spaces
    bad_bytes: str | None = None  # description of the first non-UTF-8 byte, if any


class LineFeed:
    """Iterator of decoded lines for csv.reader; notes where the record being read starts."""

    def __init__(self, fh: BinaryIO):
        self.fh = fh
        self.line_no = 0
        self.bytes_read = 0
        self.record_open = False
        self.record_start = 1
        self.bad: str | None = None

    def __iter__(self) -> "LineFeed":
        return self

    def __next__(self) -> str:
        raw = self.fh.readline(MAX_LINE_BYTES + 1)
        if not raw:
            raise StopIteration
        self.line_no += 1
        if len(raw) > MAX_LINE_BYTES:
            raise FileRefused(f"Line {self.line_no} is longer than {MAX_LINE_BYTES:,} bytes: this is "
                              "not a CSV file with one record per line (or its line ends are missing).")
        self.bytes_read += len(raw)
        if self.line_no == 1:
            raw = _strip_bom(raw)
        if not self.record_open:
            self.record_open, self.record_start = True, self.line_no
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = raw.decode("utf-8", errors="replace")
            if self.bad is None:
                self.bad = (f"byte 0x{raw[exc.start]:02X} at line {self.line_no}, position {exc.start + 1} "
                            "is not UTF-8 text (save the file as 'CSV UTF-8')")
        return text

    def take(self) -> tuple[int, str | None]:
        """The start line and bad-byte note of the record csv.reader just returned.

        Its raw text is not kept: refused rows are stored re-serialised, ids pseudonymised."""
        result = (self.record_start, self.bad)
        self.record_open, self.bad = False, None
        return result


def _strip_bom(first: bytes) -> bytes:
    if first.startswith(UTF16_BOMS):
        raise FileRefused("The file is saved as UTF-16 ('Unicode text'); save it as 'CSV UTF-8 "
                          "(comma delimited)' and import it again.")
    return first[len(BOM):] if first.startswith(BOM) else first


def records(fh: BinaryIO, feed: LineFeed | None = None) -> Iterator[Record]:
    """Every record of the file in order, blank lines included (as empty field lists)."""
    feed = feed or LineFeed(fh)
    reader = csv.reader(feed, skipinitialspace=True, strict=False)
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileRefused(f"Line {feed.line_no} could not be read as CSV ({exc}).") from None
        line, bad = feed.take()
        yield Record(line=line, fields=[f.strip() for f in fields], bad_bytes=bad)


def is_blank(record: Record) -> bool:
    """A blank line, or a line of empty fields (spreadsheets leave these at the end)."""
    return not any(record.fields)

"""The 903 return as DfE's XML (root EXPSSDA903): its rows, table by table, as the CSV files hold them.

Where each table's rows sit is data (specs/ssda903.toml [xml]). A document type declaration is
refused before parsing, so no entity (internal or external) is ever expanded. A row's "line" is
the position of its CHILD element (1 = the first child).
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from cl_metrics.ingest.report import FileRefused
from cl_metrics.spec import xml_layout

DECLARATIONS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
Rows = dict[str, list[tuple[int, dict[str, str]]]]


def looks_like_xml(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _leaves(element: ET.Element, skip: set[str]) -> dict[str, str]:
    """Every leaf under `element` as name -> stripped text, not descending into `skip` elements."""
    renames = xml_layout()["renames"]
    found: dict[str, str] = {}
    for item in element:
        if item.tag in skip:
            continue
        if len(item):
            found.update(_leaves(item, skip))
        else:
            found[renames.get(item.tag, item.tag)] = (item.text or "").strip()
    return found


def read_rows(data: bytes) -> Rows:
    """Rows per table: {table: [(child position, {column: text})]}, or FileRefused saying why not."""
    if DECLARATIONS.search(data):
        raise FileRefused("The XML file declares a document type or entities (<!DOCTYPE or <!ENTITY); "
                          "the 903 return has none, so it is refused unread.")
    layout = xml_layout()
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise FileRefused(f"The XML file could not be read ({exc}).") from None
    if root.tag != layout["root"]:
        raise FileRefused(f"The XML file's root element is <{root.tag[:40]}>, not <{layout['root']}>: "
                          "not an SSDA903 return.")
    row_tables: dict[str, str] = layout["rows"]
    rows: Rows = {"header": []}
    for position, child in enumerate(root.iter(layout["child"]), start=1):
        header = child.find(layout["header"])
        person = _leaves(header, set(row_tables)) if header is not None else {}
        ids = {name: person.get(name, "") for name in ("CHILD", "DOB")}
        rows["header"].append((position, person))
        for table, field in layout["present_when"].items():
            if person.get(field):
                rows.setdefault(table, []).append((position, person))
        for element in child.iter():
            if element.tag in row_tables:
                rows.setdefault(row_tables[element.tag], []).append((position, ids | _leaves(element, set())))
    return rows

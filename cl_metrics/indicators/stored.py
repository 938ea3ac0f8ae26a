"""Candidates saved in a store (the lab's), read back as indicators: every one, or those a workshop promoted."""
from __future__ import annotations

import json

from cl_metrics.indicators import Indicator, load_declarations


def saved(con, include_retired: bool = False) -> tuple[Indicator, ...]:
    """Saved candidates, oldest first, validated as on import (a stale one is named, not skipped)."""
    rows = con.execute("SELECT definition FROM candidate_indicator WHERE ? OR NOT retired "
                       "ORDER BY created_at, id", [include_retired]).fetchall()
    return load_declarations([json.loads(r[0]) for r in rows], "saved candidates")


def promoted(con) -> tuple[tuple[Indicator, str], ...]:
    """Candidates a workshop promoted to prototype and not retired since, each with that workshop's name:
    the Overview and Domain pages show them beside the built-ins."""
    rows = con.execute(
        "SELECT c.definition, arg_max(w.name, d.decided_at) FROM candidate_indicator c "
        "JOIN indicator_decision d ON d.indicator_id = c.id AND d.decision = 'promote' "
        "JOIN workshop w ON w.id = d.workshop_id WHERE NOT c.retired GROUP BY c.id, c.definition, c.created_at "
        "ORDER BY c.created_at, c.id").fetchall()
    found = load_declarations([json.loads(r[0]) for r in rows], "promoted candidates")
    return tuple((ind, row[1]) for ind, row in zip(found, rows) if ind.status == "prototype")

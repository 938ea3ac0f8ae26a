"""A text progress bar for the command lines (generation, import): one line on stderr, redrawn."""
from __future__ import annotations

import sys


def text_progress(fraction: float, label: str) -> None:
    """Draw `fraction` done with its label; a new line once it reaches 1."""
    filled = int(30 * fraction)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%} {label[:50]:<50}")
    if fraction >= 1:
        sys.stderr.write("\n")
    sys.stderr.flush()

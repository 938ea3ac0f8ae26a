"""Where the declared configuration is read from: domains, table specs, indicators, the data map,
statements and templates, by their paths inside the repository.

The repository itself by default; the CL_CONFIG environment variable names a copy of it, so a test
(or a trial) can add a domain to copied files without editing the repository. Every reader of these
files caches through `cached`, and `reload()` clears them all, so a changed folder is read afresh.
"""
from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

CONFIG_ENV = "CL_CONFIG"
REPOSITORY = Path(__file__).resolve().parent.parent
_readers: list = []
Reader = TypeVar("Reader", bound=Callable)


def path(relative: str) -> Path:
    """A configuration file by its path in the repository (e.g. 'cl_metrics/domains.toml')."""
    return Path(os.environ.get(CONFIG_ENV) or REPOSITORY) / relative


def cached(reader: Reader) -> Reader:
    """`functools.cache`, registered so that `reload()` clears it."""
    wrapped = functools.cache(reader)
    _readers.append(wrapped)
    return wrapped


def reload() -> None:
    """Forget everything read from the configuration (after CL_CONFIG or its files change)."""
    for reader in _readers:
        reader.cache_clear()

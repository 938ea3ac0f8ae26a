"""Figures kept until what they are computed from changes.

Records change only when `person_year` is rebuilt (a generation or an import), and every rebuild
stamps the store afresh (`store.records_stamp`). A figure computed under one stamp stays right
until the next, so the pages, which re-run on every click (and forty phones re-run at once in a
workshop), need not recompute what costs tens of milliseconds at a million young people. The
timings in `bench` compute afresh (`afresh`) and never see this. `per_version` does the same for
anything else with a cheap version, such as a workshop's answers.
"""
from __future__ import annotations

import dataclasses
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

import pandas as pd

from cl_metrics.store import records_stamp

KEPT = 256
Result = TypeVar("Result")


def _hashable(value: object) -> object:
    if isinstance(value, dict):
        return tuple(sorted(value.items()))
    return tuple(value) if isinstance(value, list) else value


def _own(value: Result) -> Result:
    """Each caller gets its own DataFrames, alone or in a frozen dataclass; anything else must be immutable."""
    if isinstance(value, pd.DataFrame):
        return value.copy()
    if dataclasses.is_dataclass(value):
        return dataclasses.replace(value, **{f.name: getattr(value, f.name).copy() for f in dataclasses.fields(value)
                                             if isinstance(getattr(value, f.name), pd.DataFrame)})
    return value


_afresh: ContextVar[bool] = ContextVar("afresh", default=False)


@contextmanager
def afresh() -> Iterator[None]:
    """Compute everything inside the block, keeping nothing: for timings (the bench) that must
    measure the work, not the keeping."""
    token = _afresh.set(True)
    try:
        yield
    finally:
        _afresh.reset(token)


def per_version(version: Callable[..., Hashable | None]) -> Callable[[Callable[..., Result]], Callable[..., Result]]:
    """Keep `function(con, ...)`'s result while `version(con, ...)` is the same (the last KEPT of them).

    Arguments must be hashable once lists become tuples (indicators are frozen models). Each caller
    gets its own copy, so one page adding a column never changes what another is shown. A None
    version is computed every time. Callers asking for the same thing at once wait for one
    computation (forty phones joining a workshop together would otherwise all compute it)."""
    return functools.partial(_keep, version)


def by_records(function: Callable[..., Result]) -> Callable[..., Result]:
    """Keep `function(con, ...)`'s result until the store's records change (its records stamp)."""
    return _keep(lambda con, *args, **kwargs: records_stamp(con), function)


def _keep(version: Callable[..., Hashable | None], function: Callable[..., Result]) -> Callable[..., Result]:
    kept: OrderedDict[tuple, Result] = OrderedDict()
    computing: dict[tuple, threading.Lock] = {}
    lock = threading.Lock()

    @functools.wraps(function)
    def kept_or_computed(con, *args, **kwargs) -> Result:
        current = None if _afresh.get() else version(con, *args, **kwargs)
        if current is None:
            return function(con, *args, **kwargs)
        key = (current, tuple(map(_hashable, args)), tuple(sorted((k, _hashable(v)) for k, v in kwargs.items())))
        with lock:
            if key in kept:
                kept.move_to_end(key)
                return _own(kept[key])
            mine = computing.setdefault(key, threading.Lock())
        with mine:
            with lock:
                if key in kept:  # computed by whoever held `mine` before us
                    return _own(kept[key])
            try:
                value = function(con, *args, **kwargs)
            except BaseException:
                with lock:
                    computing.pop(key, None)
                raise
            with lock:
                kept[key] = value
                computing.pop(key, None)
                while len(kept) > KEPT:
                    kept.popitem(last=False)
        return _own(value)

    return kept_or_computed

"""Local staff accounts, for a laptop with no identity provider (a workshop in a youth centre offline).

`python -m cl_metrics staff add NAME --role ROLE` asks for a password and keeps only its argon2
hash, in a TOML file outside the store and the repository (git-ignored `.streamlit/staff.toml`,
or $CL_STAFF_FILE). The password itself is never written anywhere, nor logged.
"""
from __future__ import annotations

import json
import os
import re
import threading
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from cl_metrics.access.roles import AccessDenied, Principal, roles
from cl_metrics.store import PROJECT_ROOT

STAFF_ENV = "CL_STAFF_FILE"
DEFAULT_STAFF_FILE = PROJECT_ROOT / ".streamlit" / "staff.toml"
MIN_PASSWORD_LENGTH = 12
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
# Guessing: after this many wrong passwords for one name, that name waits before trying again.
MAX_FAILURES, LOCKOUT_SECONDS = 5, 300
HEADER = ("# Local staff accounts for the care leaver dashboard: argon2 hashes, never passwords.\n"
          "# Written by `python -m cl_metrics staff add NAME --role ROLE`; keep this file out of git.\n")

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password anyone has")  # so an unknown name costs the same time
_failures: dict[str, list[float]] = {}
_failures_lock = threading.Lock()


class AccountError(ValueError):
    """A request about accounts that cannot be carried out, with a message to act on."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    hash: str


def staff_file() -> Path:
    return Path(os.environ.get(STAFF_ENV) or DEFAULT_STAFF_FILE).expanduser()


def accounts(path: Path | None = None) -> dict[str, Account]:
    """The accounts in the staff file (none if it does not exist)."""
    path = path or staff_file()
    if not path.is_file():
        return {}
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh).get("staff", {})
    except tomllib.TOMLDecodeError as exc:
        raise AccountError(f"{path} is not valid TOML ({exc}); fix or remove it.") from exc
    return {name: Account(name, entry["role"], entry["hash"]) for name, entry in raw.items()}


def _write(found: dict[str, Account], path: Path) -> None:
    """Replace the file in one step, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(f"\n[staff.{json.dumps(a.name)}]\nrole = {json.dumps(a.role)}\nhash = {json.dumps(a.hash)}\n"
                   for a in sorted(found.values(), key=lambda a: a.name))
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as fh:
        fh.write(HEADER + body)
    os.replace(temporary, path)


def add(name: str, role: str, password: str, path: Path | None = None) -> None:
    """Add an account, or give an existing one a new role and password."""
    path = path or staff_file()
    if not NAME.fullmatch(name):
        raise AccountError("A name is 1 to 64 letters, digits, dots, dashes, underscores or @, starting with a "
                           "letter or digit.")
    if role not in roles().roles:
        raise AccountError(f"Unknown role {role!r}; choose one of {', '.join(roles().roles)}.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Use a password of at least {MIN_PASSWORD_LENGTH} characters.")
    found = accounts(path)
    found[name] = Account(name, role, _hasher.hash(password))
    _write(found, path)


def remove(name: str, path: Path | None = None) -> None:
    path = path or staff_file()
    found = accounts(path)
    if name not in found:
        raise AccountError(f"No account named {name!r} in {path}.")
    del found[name]
    _write(found, path)


def _locked_out(name: str, now: float) -> bool:
    with _failures_lock:
        recent = [t for t in _failures.get(name, []) if now - t < LOCKOUT_SECONDS]
        _failures[name] = recent
        return len(recent) >= MAX_FAILURES


def _failed(name: str, now: float) -> None:
    with _failures_lock:
        _failures.setdefault(name, []).append(now)


def verify(name: str, password: str, path: Path | None = None) -> Principal | None:
    """The signed-in person if the name and password match an account, else None.

    Raises AccessDenied while a name is locked out after too many wrong passwords."""
    now = time.monotonic()
    if _locked_out(name, now):
        raise AccessDenied(f"Too many wrong passwords for this name: wait {LOCKOUT_SECONDS // 60} minutes and "
                           "try again.")
    account = accounts(path).get(name)
    try:
        _hasher.verify(account.hash if account else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        _failed(name, now)
        return None
    if account is None:
        return None
    return Principal(account.name, account.role, "local account")

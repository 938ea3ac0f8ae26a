"""Local staff accounts, for a laptop with no identity provider (a workshop in a youth centre offline).

`python -m cl_metrics staff add NAME --role ROLE` asks for a password and keeps only its argon2
hash, in a TOML file outside the store and the repository (git-ignored `.streamlit/staff.toml`,
or $CL_STAFF_FILE). The password itself is never written anywhere, nor logged.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
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
# A signed-in browser keeps a signed token (a cookie), so a reload or a new tab stays signed in.
SESSION_SECONDS = 12 * 3600
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


def _read(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise AccountError(f"{path} is not valid TOML ({exc}); fix or remove it.") from exc


def accounts(path: Path | None = None) -> dict[str, Account]:
    """The accounts in the staff file (none if it does not exist)."""
    raw = _read(path or staff_file()).get("staff", {})
    return {name: Account(name, entry["role"], entry["hash"]) for name, entry in raw.items()}


def _write(found: dict[str, Account], path: Path) -> None:
    """Replace the file in one step, readable by its owner only; keeps (or makes) its session key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = _read(path).get("session_key") or secrets.token_hex(32)
    body = f"session_key = {json.dumps(key)}\n" + "".join(
        f"\n[staff.{json.dumps(a.name)}]\nrole = {json.dumps(a.role)}\nhash = {json.dumps(a.hash)}\n"
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


def _signature(key: str, account: Account, expires: int) -> str:
    """Bound to the account's role and password hash: a new password or role ends old sessions."""
    message = f"{account.name}|{account.role}|{expires}|{account.hash}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def session_token(name: str, path: Path | None = None, now: float | None = None) -> str:
    """A token that keeps `name` signed in for SESSION_SECONDS: name, expiry and a signature."""
    raw = _read(path or staff_file())
    account = Account(name, raw["staff"][name]["role"], raw["staff"][name]["hash"])
    expires = int((time.time() if now is None else now) + SESSION_SECONDS)
    return f"{name}|{expires}|{_signature(raw['session_key'], account, expires)}"


def from_token(token: str, path: Path | None = None, now: float | None = None) -> Principal | None:
    """The person a session token stands for, or None if it is forged, expired or out of date."""
    raw = _read(path or staff_file())
    name, _, rest = token.partition("|")
    expires, _, signature = rest.partition("|")
    entry = raw.get("staff", {}).get(name)
    if not (entry and raw.get("session_key") and expires.isdigit()):
        return None
    account = Account(name, entry["role"], entry["hash"])
    if int(expires) < (time.time() if now is None else now):
        return None
    if not hmac.compare_digest(signature, _signature(raw["session_key"], account, int(expires))):
        return None
    return Principal(account.name, account.role, "local account")

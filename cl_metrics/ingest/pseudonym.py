"""Keyed pseudonyms for ids, so a real store never holds a case-record id or a worker's id.

The key lives outside the store and the repo (an environment variable or the git-ignored
`.streamlit/secrets.toml`), so someone holding only the store cannot recompute or reverse ids.
The same key must be used for every import, or the same person gets different ids across years.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import tomllib
from functools import cache
from pathlib import Path

from cl_metrics.spec import spec
from cl_metrics.store import PROJECT_ROOT

KEY_ENV = "CL_PSEUDONYM_KEY"
SECRETS_KEY = "pseudonym_key"
MIN_KEY_LENGTH = 16
# Where a local secrets file may be: the project's, then the working directory's (as Streamlit).
PROJECT_SECRETS = PROJECT_ROOT / ".streamlit" / "secrets.toml"
SECRETS_PATHS = [PROJECT_SECRETS, Path(".streamlit") / "secrets.toml"]
# DfE's reason codes for a missing UPN are not identifiers and stay as they are.
UPN_REASON = re.compile(r"UN\d{1,2}")
# Text too short or too plain to be an id, so it may be kept as given where a value is shown with a
# flag or in a refused row: a date (with zz for an unknown day or month), a number of one or two
# digits (a spreadsheet's 1.0 included), or something shaped like a code (up to three letters and
# two digits: yes, f1, M2, RD5). Anything else that is not a code of the return is pseudonymised.
NOT_AN_ID = re.compile(r"(?:zz|\d{1,2})[/-](?:zz|\d{1,2})[/-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2}|[+-]?\d{1,2}(?:\.\d{1,2})?"
                       r"|[A-Za-z]{1,3}\d{0,2}")
# A fixed text whose keyed hash identifies the key, so a store can tell whether an import uses the
# key its ids were made with, without holding the key.
FINGERPRINT_TEXT = b"cl_metrics pseudonymisation key fingerprint v1"


class PseudonymKeyError(RuntimeError):
    """No usable key: the message says where to put one."""


def _key_from_secrets() -> str | None:
    for path in SECRETS_PATHS:
        if Path(path).is_file():
            try:
                with open(path, "rb") as fh:
                    value = tomllib.load(fh).get(SECRETS_KEY)
            except tomllib.TOMLDecodeError as exc:
                raise PseudonymKeyError(f"{path} is not valid TOML ({exc}).") from exc
            if value:
                return str(value)
    return None


def load_key() -> bytes:
    """The pseudonymisation key from $CL_PSEUDONYM_KEY or .streamlit/secrets.toml, or a clear error."""
    value = os.environ.get(KEY_ENV) or _key_from_secrets()
    if not value:
        raise PseudonymKeyError(
            "No pseudonymisation key. Real ids are replaced on import with a keyed hash, and the key "
            f"must live outside the store and the repository: set the environment variable {KEY_ENV}, "
            f"or add  {SECRETS_KEY} = \"...\"  to {PROJECT_SECRETS} (git-ignored). Make one with: "
            "python -c \"import secrets; print(secrets.token_hex(32))\" and keep it safe: use the same "
            "key for every import so a young person keeps one id across years.")
    if len(value) < MIN_KEY_LENGTH:
        raise PseudonymKeyError(
            f"The pseudonymisation key is too short ({len(value)} characters); use at least "
            f"{MIN_KEY_LENGTH}, e.g. python -c \"import secrets; print(secrets.token_hex(32))\".")
    return value.encode("utf-8")


class Pseudonymiser:
    """Replaces ids with 'P' + 12 hex digits of HMAC-SHA256(key, id)."""

    def __init__(self, key: bytes):
        self._key = key

    def _digest(self, value: str) -> str:
        return hmac.new(self._key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:12]

    def child(self, value: str) -> str:
        return "P" + self._digest(value)

    def upn(self, value: str) -> str:
        """A pupil number is an identifier too; DfE's 'UNn' reason codes are kept."""
        return value if UPN_REASON.fullmatch(value) else "U" + self._digest("UPN:" + value)

    def social_worker(self, value: str) -> str:
        """sw_episodes' SW_ID (a social worker's registration number) links a worker to children."""
        return "W" + self._digest("SW_ID:" + value)

    def fingerprint(self) -> str:
        """HMAC-SHA256(key, a fixed text): the same for the same key, and no help in finding it."""
        return hmac.new(self._key, FINGERPRINT_TEXT, hashlib.sha256).hexdigest()

    def shown(self, value: str) -> str:
        """`value` if it cannot be an id (a code of the return, a date, a small number), else its pseudonym:
        a value kept with a flag or in a refused row never holds a raw id, however shifted the row."""
        if not value or NOT_AN_ID.fullmatch(value.strip()) or value.strip().upper() in _codes():
            return value
        return self.child(value)

    def column(self, name: str, value: str | None) -> str | None:
        if not value:
            return value
        if name == "CHILD":
            return self.child(value)
        if name == "UPN":
            return self.upn(value)
        if name == "SW_ID":
            return self.social_worker(value)
        return value


ID_COLUMNS = ("CHILD", "UPN", "SW_ID")


@cache
def _codes() -> frozenset[str]:
    """Every code of every code list (any year), upper case: text that is a code is not an id."""
    return frozenset(code.upper() for codes in spec().codes.values() for code in codes)

"""Roles, who is asking, and the one check every guarded function makes (`require`).

The roles are data (`roles.toml`); this module reads them and answers "may this person do this?".
Pages, the command line and the library all ask here, so hiding a button is never the only guard.
"""
from __future__ import annotations

import getpass
import tomllib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

ROLES_FILE = Path(__file__).with_name("roles.toml")
# How a person came to have their role; the first three mean they proved who they are.
How = Literal["identity provider", "local account", "command line", "open demo", "not signed in"]
SIGNED_IN: tuple[How, ...] = ("identity provider", "local account", "command line")


class AccessDenied(PermissionError):
    """A request refused for the person's role, with a message that says what would allow it."""


class RoleSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    label: str
    who: str
    includes: tuple[str, ...] = ()
    grants: tuple[str, ...] = ()


class Roles(BaseModel):
    """The declaration: actions in words, roles from least to most, and the action each page needs."""
    model_config = ConfigDict(frozen=True, extra="forbid")
    actions: dict[str, str]
    roles: dict[str, RoleSpec]
    pages: dict[str, str]

    @model_validator(mode="after")
    def _known_names(self) -> Roles:
        for name, role in self.roles.items():
            if unknown := [r for r in role.includes if r not in self.roles or r == name]:
                raise ValueError(f"role {name} includes unknown roles {unknown}")
            if unknown := [a for a in role.grants if a not in self.actions]:
                raise ValueError(f"role {name} grants unknown actions {unknown}")
        if unknown := {a for a in self.pages.values() if a not in self.actions}:
            raise ValueError(f"pages need unknown actions {sorted(unknown)}")
        return self


@cache
def roles() -> Roles:
    with open(ROLES_FILE, "rb") as fh:
        return Roles.model_validate(tomllib.load(fh))


@cache
def included(role: str) -> frozenset[str]:
    """The role and every role it includes, however indirectly."""
    spec = roles().roles[role]
    return frozenset({role}).union(*(included(r) for r in spec.includes))


@cache
def granted(role: str) -> frozenset[str]:
    """Every action a role may take, its own and its included roles'."""
    return frozenset(a for r in included(role) for a in roles().roles[r].grants)


def rank(role: str) -> int:
    """How much a role may do, for choosing the larger of two (roles are declared least first)."""
    return list(roles().roles).index(role)


def least_role_for(action: str) -> str:
    """The first declared role that may take `action`: what a refusal message asks for."""
    return next(r for r in roles().roles if action in granted(r))


def label(role: str) -> str:
    return roles().roles[role].label


@dataclass(frozen=True)
class Principal:
    """Who is asking: a name (an e-mail, a local account, 'visitor'), their role, and how they got it.

    `session` tells one browser session from another, so the access log can record a view once."""
    name: str
    role: str
    how: How
    session: str = field(default_factory=lambda: uuid.uuid4().hex, compare=False)

    def __post_init__(self) -> None:
        if self.role not in roles().roles:
            raise ValueError(f"unknown role {self.role!r}")

    @property
    def signed_in(self) -> bool:
        return self.how in SIGNED_IN

    def may(self, action: str) -> bool:
        if action not in roles().actions:
            raise KeyError(f"unknown action {action!r}")
        return action in granted(self.role)

    def describe(self) -> str:
        """'signed in as ana@example.org (analyst)' or 'not signed in (viewer)'."""
        if self.signed_in:
            return f"signed in as {self.name} ({label(self.role).lower()})"
        return f"{self.how} ({label(self.role).lower()})"


def require(actor: Principal, action: str) -> None:
    """Refuse unless `actor` may take `action`; the message names the role that would allow it."""
    if not actor.may(action):
        needed = label(least_role_for(action)).lower()
        raise AccessDenied(f"{roles().actions[action]}: this needs the {needed} role, and you are "
                           f"{actor.describe()}.")


def mode_for(actor: Principal, requested: str | None) -> Literal["workshop", "analyst"]:
    """Analyst mode only for those whose role grants it, whatever a URL or a form asked for."""
    return "analyst" if requested == "analyst" and actor.may("analyst_mode") else "workshop"


def pages_for(actor: Principal) -> list[str]:
    """The pages (url paths) this person may open, in declared order."""
    return [page for page, action in roles().pages.items() if actor.may(action)]


@dataclass(frozen=True)
class SignInSetup:
    """What this installation offers for signing in: an identity provider, local accounts, or neither."""
    identity_provider: bool
    local_accounts: bool

    @property
    def configured(self) -> bool:
        return self.identity_provider or self.local_accounts


def visitor_role(source: str, setup: SignInSetup) -> str:
    """What someone who has not signed in may do, given what the store holds.

    A synthetic store with no sign-in configured is an open demo (made-up people): everything.
    With sign-in configured, visitors to a synthetic store read it in workshop mode. A store of real
    data asks for sign-in for every staff page, so visitors may only join a workshop; if no sign-in
    is configured at all, it opens in workshop mode only (the pages say how to configure sign-in).
    """
    if source == "synthetic":
        return "viewer" if setup.configured else "analyst"
    return "participant" if setup.configured else "viewer"


def visitor(source: str, setup: SignInSetup) -> Principal:
    role = visitor_role(source, setup)
    return Principal("visitor", role, "open demo" if role == "analyst" else "not signed in")


def role_from_claims(claims: Mapping, mapping: Mapping) -> str | None:
    """The largest role an identity provider's claims map to, from the secrets' `[access]` section.

    `mapping` holds `emails` (address -> role, matched without regard to case) and `groups`
    (group or app-role id -> role, read from the claim named by `group_claim`, default "groups").
    An e-mail is read from `email`, else `preferred_username` or `upn` (Entra ID's sign-in name)."""
    found = []
    emails = {str(k).lower(): v for k, v in (mapping.get("emails") or {}).items()}
    for claim in ("email", "preferred_username", "upn"):
        if (value := claims.get(claim)) and str(value).lower() in emails:
            found.append(emails[str(value).lower()])
    groups = mapping.get("groups") or {}
    held = claims.get(mapping.get("group_claim", "groups")) or []
    held = [held] if isinstance(held, str) else list(held)
    found += [groups[g] for g in held if g in groups]
    known = [r for r in found if r in roles().roles]
    return max(known, key=rank) if known else None


def command_line() -> Principal:
    """Whoever runs `python -m cl_metrics` on this machine: they can read the store file and the
    pseudonymisation key already, so the command line acts as an analyst, logged under their login."""
    return Principal(getpass.getuser(), "analyst", "command line")


def signed_in(name: str, role: str | None, how: How, source: str, setup: SignInSetup) -> Principal:
    """A signed-in person: the larger of their mapped role and what any visitor to this store may do."""
    base = visitor_role(source, setup)
    chosen = base if role is None or rank(role) < rank(base) else role
    return Principal(name, chosen, how)

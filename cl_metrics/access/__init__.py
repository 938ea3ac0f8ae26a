"""Who may see what: roles declared as data, local staff accounts, and the access log."""
from cl_metrics.access.roles import (AccessDenied, Principal, SignInSetup, command_line, label, mode_for, pages_for,
                                     require, role_from_claims, roles, signed_in, visitor)

__all__ = ["AccessDenied", "Principal", "SignInSetup", "command_line", "label", "mode_for", "pages_for", "require",
           "role_from_claims", "roles", "signed_in", "visitor"]

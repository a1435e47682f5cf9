"""Who may do what: every role table a permission check reads, in one place, and ``require`` that checks one.

What a role may *see* is its scope (``storage.scopes.site_scope``), checked first: an object out of sight answers
404, and only then does a table here decide between doing it and 403 (docs/security.md "Users, roles and what
each may see"). The roles themselves are ``accounts.principal.Role``.
"""

from __future__ import annotations

from server.accounts.principal import Principal, Role
from server.errors import Forbidden

__all__ = [
    "ACKNOWLEDGERS", "ASSIGNERS", "CLOSERS", "COMPANY_STAFF", "CONSOLE", "CONTROLLERS", "DISPATCHERS", "FEEDERS",
    "HAZARD_EDITORS", "INSPECTORS", "MANAGERS", "POLICY_EDITORS", "POWER_OFF_DECIDERS", "POWER_OFF_REQUESTERS",
    "REGIONAL", "RULE_EDITORS", "VERIFIERS", "require", "require_user",
]

Roles = tuple[Role, ...]

# ---- installations ----------------------------------------------------------------------------------------------

# Build and maintain installations: create sites, register and commission devices (scan wired buses, read a device
# once, write a device's own alarm levels), set channel thresholds, issue and revoke gateway keys (docs/security.md:
# operator and installer change their company's sites).
MANAGERS: Roles = ("admin", "operator", "installer")
# Send readings with a user login (a gateway key always may, for its own site): those who install and test devices.
FEEDERS: Roles = ("admin", "operator", "installer")
# Trip, close or self-test a breaker from afar: the operator's monitoring centre only (ARCHITECTURE "Security");
# owners ask the operator, installers work on site, admins administer.
CONTROLLERS: Roles = ("operator",)

# ---- alarms and notifications -------------------------------------------------------------------------------------

# Acknowledge an alarm (which stops its escalation): the unit's owner and the people who maintain its installation.
ACKNOWLEDGERS: Roles = ("admin", "operator", "installer", "owner")
# Set a site's escalation times: the operator company that runs the monitoring, and admins (docs/notifications.md).
POLICY_EDITORS: Roles = ("admin", "operator")
# The alarm console across every contracted site (story 4): the operator's monitoring centre, and admins.
CONSOLE: Roles = ("admin", "operator")
# Ask the monitoring centre to switch a circuit off remotely from an alarm (story 1.3): the unit's owner, who may
# not switch it themselves (CONTROLLERS).
POWER_OFF_REQUESTERS: Roles = ("owner",)
# Answer such a request, by tripping the breaker or declining with a note: those who may switch it.
POWER_OFF_DECIDERS: Roles = CONTROLLERS

# ---- hazards (docs/hazards.md "The loop") ------------------------------------------------------------------------

# Set a site's alarm → hazard rules: the operator company and admins (docs/hazards.md "Where hazards come from").
RULE_EDITORS: Roles = ("admin", "operator")
# Assign and reassign a hazard (dispatch the work): the operator company, the grid inspector who found it, admins.
ASSIGNERS: Roles = ("admin", "operator", "inspector")
# Verify or reject rectified work, on site; never the person who rectified it (hazards.workflow decides that).
VERIFIERS: Roles = ("admin", "operator", "inspector")
# Close a verified hazard; the regulator may close what it supervises.
CLOSERS: Roles = ("admin", "operator", "inspector", "regulator")
# Edit a hazard's words and severity besides the person who reported it: those who dispatch the work.
HAZARD_EDITORS: Roles = ("admin", "operator", "inspector")
# Dispatch an alarm from the console: make (or reuse) its hazard and assign it to one of the company's electricians.
DISPATCHERS: Roles = ("admin", "operator")

# ---- inspections ------------------------------------------------------------------------------------------------

# Start, answer and sign an inspection visit: the grid inspector, the operator company's staff, the regulator's
# officers, admins (docs/hazards.md "Inspections").
INSPECTORS: Roles = ("admin", "operator", "inspector", "regulator")

# ---- accounts ---------------------------------------------------------------------------------------------------

# Roles that see by region, so an account of one needs at least one region code (GB/T 2260).
REGIONAL: Roles = ("inspector", "regulator")
# Roles that work for an operator company, so an account of one needs its company_id. An electrician works the
# hazards dispatched to them (marks them rectified with photos) and nothing else: no table above names them.
COMPANY_STAFF: Roles = ("operator", "installer", "electrician")


def require(principal: Principal, roles: tuple[str, ...], action: str) -> None:
    """403 unless the principal's role is one of ``roles``, saying who may ``action``."""
    if principal.role not in roles:
        raise Forbidden(f"role {principal.role} may not {action}; ask an {' or '.join(roles)}")


def require_user(principal: Principal, action: str) -> int:
    """The user's id; gateways (keys of a site box) are refused with what they tried."""
    if principal.kind != "user":
        raise Forbidden(f"a gateway may not {action}; sign in as a user")
    return principal.id

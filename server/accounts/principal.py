"""The caller of a request: a user with a role and scope, or a gateway bound to one site."""

from __future__ import annotations

from typing import Literal

import msgspec

__all__ = ["ROLES", "Principal", "Role"]

Role = Literal["admin", "operator", "installer", "electrician", "owner", "inspector", "regulator"]
ROLES: tuple[Role, ...] = ("admin", "operator", "installer", "electrician", "owner", "inspector", "regulator")


class Principal(msgspec.Struct, frozen=True):
    kind: Literal["user", "gateway"]
    id: int  # user id or gateway id
    role: Role | Literal["gateway"]
    username: str = ""
    company_id: int | None = None
    regions: tuple[str, ...] = ()
    department: str | None = None
    site_id: int | None = None  # a gateway's site

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

"""Request and response shapes of login, users and companies."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta, Struct

from server.accounts.principal import Role
from server.fields import END, LINE, DepartmentCode, Id, Name, RegionCode

__all__ = ["CompanyCreate", "CompanyOut", "CompanyPatch", "ElectricianOut", "LoginRequest", "LoginResponse",
           "MePatch", "UserCreate", "UserOut"]

class LoginRequest(Struct, forbid_unknown_fields=True):
    username: Annotated[str, Meta(min_length=1, max_length=64)]
    password: Annotated[str, Meta(min_length=1, max_length=256)]


class UserOut(Struct):
    id: int
    username: str
    role: Role
    display_name: str
    phone: str = ""
    company_id: Id | None = None
    regions: list[str] = []
    department: str | None = None


class LoginResponse(Struct):
    token: str
    expires_at: float
    user: UserOut


class UserCreate(Struct, forbid_unknown_fields=True):
    username: Annotated[str, Meta(pattern=r"^[A-Za-z0-9_.@-]{3,64}" + END,
                                  description="3–64 letters, digits or _ . @ -")]
    password: Annotated[str, Meta(min_length=8, max_length=256)]
    role: Role
    display_name: Annotated[str, Meta(max_length=100), LINE] = ""
    phone: Annotated[str, Meta(pattern=r"^[0-9+ -]{0,20}" + END)] = ""
    regions: Annotated[list[RegionCode], Meta(max_length=100)] = []
    department: DepartmentCode | None = None
    company_id: Id | None = None


class MePatch(Struct, forbid_unknown_fields=True):
    # A mainland mobile number ("13800138000", "+86 138 0013 8000"); "" removes it. An owner with a number is
    # called when an alarm stays unacknowledged past the first escalation rung (docs/notifications.md).
    phone: Annotated[str, Meta(max_length=20, description="mainland mobile number, or empty to remove it")]


class CompanyCreate(Struct, forbid_unknown_fields=True):
    name: Name
    hotline: Annotated[str, Meta(pattern=r"^[0-9+ -]{0,20}" + END)] = ""


class CompanyPatch(Struct, forbid_unknown_fields=True):
    hotline: Annotated[str, Meta(pattern=r"^[0-9+ -]{0,20}" + END)]


class ElectricianOut(Struct):
    id: int
    username: str
    display_name: str
    phone: str = ""


class CompanyOut(Struct):
    id: int
    name: str
    hotline: str

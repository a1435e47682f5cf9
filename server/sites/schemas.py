"""Request and response shapes of sites."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta, Struct, field

from server.devices.schemas import DeviceOut
from server.fields import LINE, Id, Name, RegionCode

__all__ = ["SiteCapabilities", "SiteCreate", "SiteDetail", "SiteOut", "SiteStatus"]

# power_off: a breaker of the site is open (tripped or switched off), and nothing worse is going on.
SiteStatus = Literal["normal", "prealarm", "alarm", "fault", "offline", "power_off"]


class SiteCreate(Struct, forbid_unknown_fields=True):
    name: Name
    address: Annotated[str, Meta(min_length=1, max_length=500), LINE]
    region_code: RegionCode
    venue_type: Annotated[str, Meta(min_length=1, max_length=40)]
    owner_id: Id | None = None
    lat: Annotated[float, Meta(ge=-90, le=90)] | None = None
    lon: Annotated[float, Meta(ge=-180, le=180)] | None = None
    key_unit: bool = False
    company_id: Id | None = None


class SiteOut(Struct):
    id: int
    name: str
    address: str
    region_code: str
    region_name: str
    venue_type: str
    department: str
    required_capabilities: list[str]
    key_unit: bool
    owner_id: int | None
    company_id: int | None
    lat: float | None
    lon: float | None
    created_at: float
    device_count: int
    status: SiteStatus


class SiteCapabilities(Struct):
    """What the site's venue type requires, what its commissioned devices give it, and whether that is enough (the
    rule the regulators' statistics use: present ⊇ required)."""

    required: list[str] = []
    present: list[str] = []
    compliant: bool = True


class SiteDetail(SiteOut):
    devices: list[DeviceOut] = []
    capabilities: SiteCapabilities = field(default_factory=SiteCapabilities)

"""What a site box sends up goes through the same rules as the API: a device's fields as DeviceCreate and
DevicePatch check them, a channel's settings within the ranges of server/detection/settings.py. A refusal names the
device, the channel and the field, and says what is allowed."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from server.detection.settings import CHANNEL_KEY_PATTERN, QUANTITIES, SETTING_NAMES, quantity_of, resolve_settings
from server.devices.models import check_link
from server.devices.schemas import ChannelLabel, Link, RegisteredKind
from server.errors import InvalidInput
from server.fields import END, LINE

__all__ = ["Refused", "channel_key_ok", "check_device_field", "check_label", "check_settings", "serial_ok"]

_SERIAL = re.compile(r"^[A-Za-z0-9_.:-]{1,64}" + END)  # DeviceCreate.serial
_CHANNEL_KEY = re.compile(CHANNEL_KEY_PATTERN + END)
_ADDRESS = r"^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}" + END


class Refused(Exception):
    """One field refused; ``str()`` says why, for MirrorAnswer.rejected."""


class _DeviceFields(Struct, forbid_unknown_fields=True):
    """A device's mirrored fields with the API's constraints (server/devices/schemas.py)."""

    name: Annotated[str, Meta(min_length=1, max_length=100), LINE] | UnsetType = UNSET
    circuit: Annotated[str, Meta(max_length=100), LINE] | UnsetType = UNSET
    model: Annotated[str, Meta(min_length=1, max_length=64), LINE] | UnsetType = UNSET
    kind: RegisteredKind | UnsetType = UNSET
    link: Link | UnsetType | None = UNSET
    ble_address: Annotated[str, Meta(pattern=_ADDRESS)] | UnsetType | None = UNSET
    poll_interval_s: Annotated[float, Meta(ge=1, le=86400)] | UnsetType = UNSET
    rated_current_a: Annotated[float, Meta(ge=1, le=630)] | UnsetType | None = UNSET
    state: Literal["registered", "commissioned"] | UnsetType = UNSET


def serial_ok(serial: str) -> bool:
    return _SERIAL.match(serial) is not None


def channel_key_ok(key: str) -> bool:
    return _CHANNEL_KEY.match(key) is not None and quantity_of(key) in QUANTITIES


def _text(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def check_device_field(serial: str, name: str, value: Any, model: str | None) -> Any:
    """The value as stored (a number as a float), or Refused."""
    try:
        checked = msgspec.convert({name: value}, _DeviceFields)
    except msgspec.ValidationError as exc:
        raise Refused(f"device {serial}, field {name}: {_text(value)} refused: {exc}") from exc
    out = getattr(checked, name)
    if name == "link" and out is not None and model is not None:
        try:
            check_link(out, model, "link")
        except InvalidInput as exc:
            raise Refused(f"device {serial}, field link: {exc.message}") from exc
    return out


def check_label(where: str, value: Any) -> str:
    try:
        label: str = msgspec.convert(value, ChannelLabel)
    except msgspec.ValidationError as exc:
        raise Refused(f"{where}, field label: {_text(value)} refused: {exc}") from exc
    return " ".join(label.split())  # one line, single spaces, as the API keeps it


def check_settings(where: str, key: str, given: dict[str, Any], current: dict[str, Any] | None,
                   rated_a: float | None) -> tuple[dict[str, Any], dict[str, str]]:
    """The channel's settings with what ``given`` changes that fits, as the API would resolve them, and the settings
    refused with why. ``_explicit`` (which settings a person set, so dependent defaults stop following) is taken
    as given when it names known settings."""
    refused: dict[str, str] = {}
    explicit = given.pop("_explicit", None)
    if explicit is not None and not (isinstance(explicit, list) and all(n in SETTING_NAMES for n in explicit)):
        refused["_explicit"] = f"{where}, field settings._explicit: {_text(explicit)} is not a list of setting names"
        explicit = None
    values = {name: value for name, value in given.items() if value is not None}
    while True:
        try:
            settings = resolve_settings(key, values, current=current, device_rated_a=rated_a, field="settings")
            break
        except InvalidInput as exc:
            name = exc.field.removeprefix("settings.")
            message = f"{where}, field settings.{name}: {exc.message}"
            if not values:  # the channel's own settings do not fit any more: nothing sent is to blame
                settings = dict(current or {})
                break
            if name not in values:  # what was given makes a setting left as it is fail (a pre-alarm above it)
                refused.update({n: f"{message} (with {', '.join(sorted(values))} as sent)" for n in values})
                values = {}
                continue
            refused[name] = message
            del values[name]
    if explicit is not None:
        settings["_explicit"] = sorted(n for n in explicit if n in QUANTITIES[quantity_of(key)].settings
                                       and n not in refused)
    return settings, refused

"""The device models andian knows as data (ble/profiles/models/*.toml), and the check of a device's link against
its model: a link the server cannot parse, or a scheme the model cannot speak, is a 400 naming ``link``."""

from __future__ import annotations

import msgspec

from ble.links import BadLink, BleLink, Link, parse_link
from ble.profiles import Profile, profiles
from server.detection.settings import unit_of
from server.devices.schemas import ModelChannel, ModelOut, ModelThreshold
from server.errors import InvalidInput

__all__ = ["check_link", "model_list"]


def model_out(profile: Profile) -> ModelOut:
    wired = profile.protocol == "modbus"
    return ModelOut(
        model=profile.model, vendor=profile.vendor, kind=profile.kind,
        name={"zh-CN": profile.name.zh_cn, "en": profile.name.en}, links=profile.links,
        channels=[ModelChannel(key, unit_of(key)) for key in profile.channel_keys()],
        poll_interval_s=profile.poll_interval_s, unit_id=profile.unit_id,
        line=msgspec.structs.asdict(profile.line) if wired else None, controls=profile.controls,
        thresholds=[ModelThreshold(t.channel, t.setting, t.min, t.max, t.scale) for t in profile.thresholds])


def model_list() -> list[ModelOut]:
    return [model_out(p) for _, p in sorted(profiles().items(), key=lambda item: item[0].lower())]


def check_link(text: str, model: str, field: str = "link") -> Link:
    """The parsed link, if ``model`` (when it is a known model) can be reached by it."""
    try:
        link = parse_link(text)
    except BadLink as exc:
        raise InvalidInput(field, str(exc)) from exc
    profile = profiles().get(model)
    if profile is not None and link.scheme not in profile.links:
        raise InvalidInput(field, f"model {model} speaks {', '.join(s + '://' for s in profile.links)}, "
                                  f"not {link.scheme}://")
    if profile is None and not isinstance(link, BleLink):
        raise InvalidInput(field, f"andian has no register map for model {model!r}, so it cannot read it over "
                                  f"{link.scheme}://; GET /api/v1/models lists the models it can read")
    return link

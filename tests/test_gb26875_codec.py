"""The GB/T 26875.3 codec: the public frames decode to what gb26875/vectors/public.json says (and the bad ones
fail with the named error), encode(decode(f)) == f; and, by hypothesis, encode → decode is the identity for
generated frames and any byte stream through the splitter never raises and finds the frames in it."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import gb26875 as gb
from gb26875.units import DESCRIPTION

VECTORS: dict[str, Any] = json.loads(resources.files("gb26875").joinpath("vectors/public.json").read_text("utf-8"))
FRAMES = VECTORS["frames"]
BAD = VECTORS["bad"]


def _ts(label: gb.TimeLabel) -> list[int]:
    return [label.sec, label.min, label.hour, label.day, label.month, label.year]


@pytest.mark.parametrize("case", FRAMES, ids=[c["what"] for c in FRAMES])
def test_public_frame_decodes_as_the_file_says(case: dict[str, Any]) -> None:
    raw = bytes.fromhex(case["hex"])
    frame = gb.decode(raw)
    assert frame.command == case["command"]
    assert frame.serial == case["serial"]
    assert list(frame.version) == case["version"]
    assert _ts(frame.time) == case["time"]
    assert frame.source.hex() == case["source"]
    assert frame.destination.hex() == case["destination"]
    unit = frame.unit
    assert isinstance(unit, gb.Unit)
    assert unit.type == case["adu_type"]
    assert len(unit.objects) == case["adu_count"]
    listed = case.get("parts", case.get("systems"))
    for obj, want in zip(unit.objects, listed or [], strict=listed is not None):
        got = {name: getattr(obj, name) for name in obj.__struct_fields__ if name != "desc_raw"}
        got["ts"] = _ts(got["ts"])
        assert getattr(obj, "desc_raw", None) is None  # clean NUL-padded descriptions: nothing extra kept
        assert got == want
    assert gb.encode(frame) == raw


@pytest.mark.parametrize("case", BAD, ids=[c["what"] for c in BAD])
def test_bad_frame_fails_with_the_named_error(case: dict[str, Any]) -> None:
    with pytest.raises(gb.GB26875Error) as err:
        gb.decode(bytes.fromhex(case["hex"]))
    assert err.value.code == case["error"]


def test_the_vectors_name_only_known_codes_and_say_their_source() -> None:
    assert {c["error"] for c in BAD} <= set(gb.CODES)
    assert "shared/gb26875_vectors.json" in VECTORS["about"]


def test_public_frames_through_the_splitter_split_joined_and_in_garbage() -> None:
    raws = [bytes.fromhex(c["hex"]) for c in FRAMES]
    bad = bytes.fromhex(BAD[0]["hex"])  # a bad checksum: reported, not a frame
    stream = b"\x00@@#garbage@" + raws[0] + raws[1] + b"@@\xff\xff" + bad + raws[2] + b"##@" + raws[3]
    splitter = gb.Splitter()
    out: list[gb.Frame | gb.Rejected] = []
    for i in range(0, len(stream), 7):
        out += splitter.feed(stream[i:i + 7])
    frames = [gb.encode(f) for f in out if isinstance(f, gb.Frame)]
    assert frames == raws
    assert [r.code for r in out if isinstance(r, gb.Rejected)].count("checksum") == 1
    assert splitter.pending <= gb.MAX_FRAME


def test_a_unit_off_the_standard_is_kept_opaque_and_round_trips() -> None:
    base = gb.decode(bytes.fromhex(FRAMES[2]["hex"]))
    for data in (b"\x02\x02" + bytes(10), b"\x0a\x01\x00", b"\x15", b"\x01\x01" + bytes(11)):
        frame = gb.decode(gb.encode(gb.Frame(**{**_fields(base), "unit": gb.Opaque(data)})))
        assert isinstance(frame.unit, gb.Opaque)
        assert gb.encode_unit(frame.unit) == data


def test_a_description_with_leftovers_after_its_nul_is_cut_there_and_round_trips() -> None:
    # The reviewer's case: firmware writes a C string into a reused buffer, so bytes follow the NUL (here ff fe,
    # not even GB 18030). The part state is still read (a fire alarm, not an opaque event) and written back as it came.
    raw = bytes.fromhex(FRAMES[3]["hex"])
    unit = bytearray(gb.encode_unit(gb.decode(raw).unit))  # type: ignore[arg-type]
    at = unit.find("啊〇".encode("gb18030"))
    unit[at + 6:at + 8] = b"\xff\xfe"
    frame = gb.Frame(**{**_fields(gb.decode(raw)), "unit": gb.Opaque(bytes(unit))})
    wire = gb.encode(frame)
    got = gb.decode(wire)
    assert isinstance(got.unit, gb.Unit) and got.unit.type == 2
    (state,) = got.unit.objects
    assert isinstance(state, gb.PartState)
    assert (state.part_type, state.status, state.desc) == (17, 2, "啊〇")
    assert state.desc_raw == bytes(unit[at:at + DESCRIPTION])
    assert gb.encode(got) == wire
    # Bytes that are not GB 18030 before the NUL: replaced in the text, kept in desc_raw.
    unit[at:at + 2] = b"\x81\x20"
    bad = gb.decode(gb.encode(gb.Frame(**{**_fields(frame), "unit": gb.Opaque(bytes(unit))})))
    assert isinstance(bad.unit, gb.Unit)
    (state,) = bad.unit.objects
    assert isinstance(state, gb.PartState) and "\ufffd" in state.desc and state.desc_raw is not None
    assert gb.encode_unit(bad.unit) == bytes(unit)
    config = gb.Unit(7, (gb.PartConfig(1, 2, 17, 5, "x", desc_raw=b"x\0yz".ljust(DESCRIPTION, b"\0")),))
    assert gb.decode_unit(gb.encode_unit(config)) == config


def test_encode_refuses_what_does_not_fit() -> None:
    base = _fields(gb.decode(bytes.fromhex(FRAMES[0]["hex"])))
    long_desc = gb.Unit(2, (gb.PartState(1, 1, 17, 1, 2, "长" * 16, gb.TimeLabel(0, 0, 0, 1, 1, 26)),))
    wrong_object = gb.Unit(21, (gb.DutyCheck(5),))
    short_raw = gb.Unit(7, (gb.PartConfig(1, 1, 17, 1, "", desc_raw=b"\0" * 30),))
    for unit in (long_desc, wrong_object, gb.UserDefined(127, b""), gb.Unit(22, ()), short_raw):
        with pytest.raises(gb.GB26875Error) as err:
            gb.encode(gb.Frame(**{**base, "unit": unit}))
        assert err.value.code == "value"
    with pytest.raises(gb.GB26875Error):
        gb.encode(gb.Frame(**{**base, "serial": 70000}))


def _fields(frame: gb.Frame) -> dict[str, Any]:
    return {name: getattr(frame, name) for name in frame.__struct_fields__}


# ---- properties -------------------------------------------------------------------------------------------------

u8 = st.integers(0, 255)
u16 = st.integers(0, 0xFFFF)
u32 = st.integers(0, 0xFFFFFFFF)
times = st.builds(gb.TimeLabel, u8, u8, u8, u8, u8, u8)
# GB 18030 text of at most 31 bytes, without NUL (the padding)
descs = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"), max_size=15).filter(
    lambda t: len(t.encode("gb18030")) <= 31)
objects: dict[int, st.SearchStrategy[Any]] = {
    2: st.builds(gb.PartState, u8, u8, u8, u32, u16, descs, times),
    3: st.builds(gb.PartAnalogue, u8, u8, u8, u32, u8, st.integers(-32768, 32767), times),
    21: st.builds(gb.DeviceState, u8, times),
    90: st.builds(gb.SyncClock, times),
}
units = st.one_of(
    *(st.lists(strategy, max_size=8).map(lambda objs, t=t: gb.Unit(t, tuple(objs))) for t, strategy in objects.items()),
    st.builds(gb.UserDefined, st.integers(128, 254), st.binary(max_size=200)),
    st.none(),
)
addresses = st.binary(min_size=6, max_size=6)
frames = st.builds(gb.Frame, serial=u16, version=st.tuples(u8, u8), time=times, source=addresses,
                   destination=addresses, command=u8, unit=units)


@given(frames)
def test_encode_then_decode_is_the_identity(frame: gb.Frame) -> None:
    assert gb.decode(gb.encode(frame)) == frame


@given(st.lists(st.binary(max_size=300), max_size=20))
def test_any_byte_stream_through_the_splitter_never_raises(chunks: list[bytes]) -> None:
    splitter = gb.Splitter()
    for chunk in chunks:
        for item in splitter.feed(chunk):
            assert isinstance(item, gb.Frame | gb.Rejected)
        assert splitter.pending <= gb.MAX_FRAME


@given(st.lists(st.tuples(st.binary(max_size=40).map(lambda b: b.replace(b"@", b"")), frames), min_size=1, max_size=5),
       st.integers(1, 64))
def test_frames_embedded_in_garbage_are_found(pieces: list[tuple[bytes, gb.Frame]], step: int) -> None:
    stream = b"".join(garbage + gb.encode(frame) for garbage, frame in pieces)
    splitter = gb.Splitter()
    found: list[gb.Frame | gb.Rejected] = []
    for i in range(0, len(stream), step):
        found += splitter.feed(stream[i:i + step])
    assert found == [frame for _, frame in pieces]


T = gb.TimeLabel(5, 4, 3, 2, 1, 26)
EXAMPLES = [
    gb.SystemState(1, 2, 0x0103, T), gb.PartState(129, 3, 17, 70000, 2, "配电室", T),
    gb.PartAnalogue(129, 3, 18, 9, 3, -215, T), gb.SystemOperation(1, 2, 4, 7, T), gb.SystemSoftware(1, 2, 3, 4),
    gb.SystemConfig(1, 2, "电气火灾监控系统"), gb.PartConfig(1, 2, 17, 5, "一层配电箱"), gb.SystemTime(1, 2, T),
    gb.DeviceState(0x21, T), gb.DeviceOperation(1, 2, T), gb.DeviceSoftware(1, 0), gb.DeviceConfig("andian"),
    gb.DeviceTime(T), gb.ReadSystem(1, 2), gb.ReadPart(1, 2, 3), gb.ReadSystemOperations(1, 2, 10, T),
    gb.ReadDeviceOperations(10, T), gb.Reserved(), gb.SyncClock(T), gb.DutyCheck(10),
]
ONE_OF_EACH: dict[type[Any], Any] = {type(obj): obj for obj in EXAMPLES}


@pytest.mark.parametrize("flag", sorted(gb.TYPES))
def test_every_standard_type_round_trips(flag: int) -> None:
    assert flag in {*range(1, 9), 21, 24, 25, 26, 28, *range(61, 69), 81, 84, 85, 86, 88, 89, 90, 91}
    unit = gb.Unit(flag, (ONE_OF_EACH[gb.TYPES[flag]],) * 2)
    assert gb.decode_unit(gb.encode_unit(unit)) == unit


def test_the_table_covers_the_standard_types() -> None:
    assert {*range(1, 9), 21, 24, 25, 26, 28, *range(61, 69), 81, 84, 85, 86, 88, 89, 90, 91} == set(gb.TYPES)


@given(st.binary(min_size=DESCRIPTION, max_size=DESCRIPTION))
def test_any_description_bytes_are_read_and_written_back(desc: bytes) -> None:
    data = bytes([2, 1, 129, 3, 17]) + (5).to_bytes(4, "little") + (2).to_bytes(2, "little") + desc + bytes(6)
    unit = gb.decode_unit(data)
    assert isinstance(unit, gb.Unit)
    assert gb.encode_unit(unit) == data

"""The pure byte layer: Modbus RTU frames (pymodbus' framer), register maps and arc reports, as tables of bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from ble.profiles import Block, ascii_words, decode, encode, guess, load_profile, profiles, read_plan, text_of
from ble.protocol import modbus
from ble.protocol.arc import ArcReport, encode_arc, parse_arc


@pytest.mark.parametrize(("frame", "expected"), [
    (modbus.read_holding(1, 0x0100, 4), "01030100000445f5"),
    (modbus.write_coil(1, 0x0002, True), "01050002ff002dfa"),
    (modbus.read_response(1, [1, 2, 3, 4]), "01030800010002000300040d14"),
    (modbus.exception_frame(1, 3, 2), "018302c0f1"),
])
def test_frames_are_standard_rtu_with_crc(frame: bytes, expected: str) -> None:
    assert frame.hex() == expected


@pytest.mark.parametrize("split", [1, 2, 5, 12])
def test_a_response_split_across_notifications_is_reassembled(split: int) -> None:
    reader = modbus.FrameReader()
    frame = bytes.fromhex("01030800010002000300040d14")
    pdus = []
    for start in range(0, len(frame), split):
        pdus += reader.feed(frame[start : start + split])
    assert len(pdus) == 1
    assert modbus.registers_of(pdus[0], 1, 4) == [1, 2, 3, 4]


def test_a_corrupted_frame_is_dropped_not_decoded() -> None:
    reader = modbus.FrameReader()
    bad = bytearray.fromhex("01030800010002000300040d14")
    bad[4] ^= 0x01
    assert reader.feed(bytes(bad)) == []


def test_a_modbus_exception_names_the_cause() -> None:
    [pdu] = modbus.FrameReader().feed(bytes.fromhex("018302c0f1"))
    with pytest.raises(modbus.ModbusError, match="illegal data address"):
        modbus.registers_of(pdu, 1, 4)


def test_an_answer_from_another_unit_is_refused() -> None:
    [pdu] = modbus.FrameReader().feed(modbus.read_response(2, [7]))
    with pytest.raises(ValueError, match="unit 2"):
        modbus.registers_of(pdu, 1, 1)


def test_the_device_side_decodes_requests() -> None:
    [request] = modbus.FrameReader(server=True).feed(bytes.fromhex("01030100000445f5"))
    assert (request.address, request.count) == (0x0100, 4)


# AD-SB63 registers 0x0100..0x0107 and the switch at 0x0200, as a device sends them.
SB63 = [
    ([1455, 2200, 1189, 334, 0, 3041, 0, 12345], 1, {
        "current_a": 14.55, "voltage_v": 220.0, "residual_ma": 118.9, "temp_c": 33.4, "power_w": 3041.0,
        "energy_kwh": 123.45}, "closed"),
    ([0, 2211, 0, 0xFF9C, 0x0001, 0x0000, 0x0001, 0x0000], 0, {
        "current_a": 0.0, "voltage_v": 221.1, "residual_ma": 0.0, "temp_c": -10.0, "power_w": 65536.0,
        "energy_kwh": 655.36}, "open"),
]


@pytest.mark.parametrize(("words", "switch_word", "values", "switch"), SB63)
def test_breaker_registers_decode_to_channel_values(words: list[int], switch_word: int, values: dict[str, float],
                                                     switch: str) -> None:
    profile = profiles()["AD-SB63"]
    blocks = read_plan(profile)
    assert blocks == [Block(0x0100, 8), Block(0x0200, 1)]
    assert decode(profile, [(blocks[0], words), (blocks[1], [switch_word])]) == (values, switch)


def test_encode_is_the_inverse_of_decode_and_saturates() -> None:
    profile = profiles()["AD-CD4"]
    temp = next(r for r in profile.channels if r.key == "temp_c_1")
    assert encode(temp, -10.0) == [0xFF9C]
    assert encode(temp, 1e9) == [0x7FFF]  # a sensor saturates at the end of its range
    power = next(r for r in profiles()["AD-SB63"].channels if r.key == "power_w")
    assert encode(power, 65536.0) == [1, 0]


def test_identity_text_is_two_characters_per_register() -> None:
    assert ascii_words("AD-BRK-0002", 8)[:2] == [0x4144, 0x2D42]
    assert text_of(ascii_words("AD-BRK-0002", 8)) == "AD-BRK-0002"


@pytest.mark.parametrize(("payload", "report"), [
    (bytes.fromhex("0100100000"), ArcReport(1, 16, False)),
    (bytes.fromhex("ffff140001"), ArcReport(65535, 20, True)),
])
def test_arc_reports(payload: bytes, report: ArcReport) -> None:
    assert parse_arc(payload) == report
    assert encode_arc(report) == payload


@pytest.mark.parametrize("payload", [b"", b"\x01\x00\x10\x00", b"\x01\x00\x10\x00\x00\x00"])
def test_a_short_or_long_arc_report_is_refused(payload: bytes) -> None:
    with pytest.raises(ValueError, match="5 bytes"):
        parse_arc(payload)


@pytest.mark.parametrize(("name", "model"), [
    ("AD-SB63 0002", "AD-SB63"), ("AD-SB125 7", "AD-SB125-3P"), ("AD-CD4 0101", "AD-CD4"), ("AD-AF1 9", "AD-AF1"),
    ("Mi Band 7", None), ("", None),
])
def test_the_model_is_guessed_from_the_advertised_name(name: str, model: str | None) -> None:
    found = guess(name)
    assert (found.model if found else None) == model


def test_every_shipped_model_has_the_functions_its_kind_needs() -> None:
    shipped = profiles()
    assert {"AD-SB63", "AD-SB125-3P", "AD-CD4", "AD-AF1"} <= set(shipped)
    assert shipped["AD-SB63"].controls == ["trip", "close", "self_test"]
    assert "residual_ma" in shipped["AD-CD4"].channel_keys()
    assert shipped["AD-AF1"].channel_keys() == ["current_a", "arc"]


def test_a_register_map_with_a_mistake_names_the_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "AD-X.toml"
    path.write_text('model = "AD-X"\nkind = "toaster"\n', "utf-8")
    with pytest.raises(ValueError, match=r"AD-X\.toml: .*kind"):
        load_profile(path)


def test_a_map_that_is_not_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "AD-Y.toml"
    path.write_text('model = "AD-Y\nkind = [\n', "utf-8")
    with pytest.raises(ValueError, match=r"AD-Y\.toml: "):
        load_profile(path)


def test_one_bad_extra_map_leaves_the_others_working(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    shipped = (Path(__file__).parent.parent / "ble" / "profiles" / "models" / "AD-SB63.toml").read_text("utf-8")
    (tmp_path / "AD-SB63-X.toml").write_text(shipped.replace('model = "AD-SB63"', 'model = "AD-SB63-X"'), "utf-8")
    (tmp_path / "broken.toml").write_text("this is not toml = = =", "utf-8")
    monkeypatch.setenv("ANDIAN_PROFILES_DIR", str(tmp_path))
    profiles.cache_clear()
    try:
        found = profiles()
        assert "AD-SB63-X" in found and "AD-SB63" in found
        assert "broken.toml" in caplog.text
    finally:
        monkeypatch.delenv("ANDIAN_PROFILES_DIR")
        profiles.cache_clear()

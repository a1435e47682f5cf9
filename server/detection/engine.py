"""The detection engine: one call per batch, vectorised over every channel the batch touches.

``Detector.detect`` takes the batch's samples as arrays of (slot, ts, value) plus arc events, and answers the
changes of wanted alarm level per (slot, cause), in time order, with the worst values seen. Whether a change
raises, escalates or clears an alarm instance is decided and stored by the alarm stage (server/alarms/), which
the ingest pipeline hands them to; detection knows nothing of alarms.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from server.detection import detectors as d
from server.detection import trend
from server.detection.kernels import Float, Int, as_of, previous, segment_ends, segment_starts, window_sums
from server.detection.table import CAUSES, QUANTITY_CODES, ChannelInfo, ChannelTable

__all__ = ["ARC_WINDOW_S", "Change", "Detector", "Findings"]

Q = QUANTITY_CODES
C = {name: i for i, name in enumerate(CAUSES)}

# GB 31252-2014 §4.3 and GB 14287.4 count arc half-cycles within 1 s.
ARC_WINDOW_S = 1.0
# A 50 Hz circuit has at most 100 half-cycles in a second.
ARC_MAX_PER_WINDOW = 100.0
# The trigger state a late lane runs on a blank copy of (restored after), so the present is not disturbed.
_LATE_STATE = ("pre_on", "pre_since", "al_on", "al_since", "last_ts")
# Detection runs over slices of at most this much time, so the closed forms of the thermal state stay exact
# in float64 (their growth factor is exp(slice / τ)).
SLICE_S = 3600.0
# A channel whose newest sample in a batch is older than this is sent history (the backlog of a box that was off,
# an import of old records): what it shows are past episodes, raised and cleared at their own times, never alarms
# active now. Samples arrive seconds after they are taken (a poll, a push, a box forwarding what it just read),
# so an hour old at arrival is history for every link andian speaks.
HISTORY_S = 3600.0


@dataclass(frozen=True)
class Change:
    """The wanted level of (slot, cause) changed at ``ts``."""

    slot: int
    cause: str
    level: int  # 0 none, 1 pre-alarm, 2 alarm, 3 fault
    ts: float
    value: float
    detail: dict[str, Any]


@dataclass
class Findings:
    changes: list[Change] = field(default_factory=list)
    # Worst value per (slot, cause) among rows that wanted a level, for alarm peaks.
    peaks: dict[tuple[int, str], float] = field(default_factory=dict)
    # Latest (slots, ts, values) of each slice, for the live view.
    latest: list[tuple[Int, Float, Float]] = field(default_factory=list)

    def latest_of(self, sites: frozenset[int], table: ChannelTable) -> dict[int, tuple[float, float]]:
        """The newest (ts, value) per slot of channels on the given sites."""
        out: dict[int, tuple[float, float]] = {}
        wanted = np.fromiter(sites, np.int64, len(sites))
        for slots, ts, values in self.latest:
            keep = np.isin(table.site_id[slots], wanted)
            for s, t, v in zip(slots[keep].tolist(), ts[keep].tolist(), values[keep].tolist(), strict=True):
                if s not in out or out[s][0] <= t:
                    out[s] = (t, v)
        return out


class Detector:
    def __init__(self, table: ChannelTable | None = None) -> None:
        self.table = table or ChannelTable()
        # Arc events of the last window per arc-channel slot, carried to the next batch.
        self._arc_tail: dict[int, tuple[Float, Float]] = {}

    def detect(
        self,
        slot: Int,
        ts: Float,
        value: Float,
        arc_slot: Int | None = None,
        arc_ts: Float | None = None,
        arc_count: Float | None = None,
        now: float | None = None,
    ) -> Findings:
        """Detect on one batch. ``now`` is the server's clock: no sample is judged as later than it."""
        if arc_slot is not None and arc_ts is not None and arc_count is not None and arc_slot.shape[0]:
            s2, t2, v2 = self._arc_windows(arc_slot, arc_ts, arc_count)
            slot, ts, value = np.concatenate([slot, s2]), np.concatenate([ts, t2]), np.concatenate([value, v2])
        findings = Findings()
        if slot.shape[0] and now is not None:
            slot, ts, value = self._history(slot, ts, value, now, findings)
        if slot.shape[0] == 0:
            return findings
        t0 = float(ts.min())
        if float(ts.max()) - t0 <= SLICE_S:
            self._pass(slot, ts, value, findings, now)
        else:
            piece = ((ts - t0) // SLICE_S).astype(np.int64)
            for k in np.unique(piece):
                mask = piece == k
                self._pass(slot[mask], ts[mask], value[mask], findings, now)
        findings.changes.sort(key=lambda c: c.ts)
        return findings

    def tick(self, now: float, active_arcs: list[int]) -> list[Change]:
        """Changes due to time passing alone: an arc alarm clears after ARC_QUIET_S without arcs. ``active_arcs``:
        the slots whose arc alarm is active."""
        last = self.table.state["al_since"]
        changes = []
        for slot in active_arcs:
            if np.isnan(last[slot]) or now - float(last[slot]) >= d.ARC_QUIET_S:
                self.table.desired[C["arc"], slot] = 0
                changes.append(Change(slot, "arc", 0, now, float("nan"), {}))
        return changes

    # ---- what the alarm stage and the checkpoint ask of the detector ------------------------------------------

    def add_device(self, device_id: int, site_id: int,
                   channels: list[tuple[int, str, Mapping[str, Any]]]) -> dict[str, int]:
        """Channels (id, key, settings) to watch, or whose settings changed; answers channel key → slot."""
        return self.table.add_device(device_id, site_id, channels)

    def restore(self, states: dict[int, list[float]]) -> None:
        """Per channel id, the state a checkpoint saved (``states``)."""
        self.table.restore_many(states)

    def reset(self, slots: Int) -> None:
        """The channels in ``slots`` start afresh (their checkpoints are restored after): see ``ChannelTable.reset``."""
        self.table.reset(slots)
        for slot in slots.tolist():
            self._arc_tail.pop(slot, None)

    def slots_of_sites(self, wanted: Callable[[Int], NDArray[np.bool_]]) -> Int:
        """The slots of the channels whose site ids ``wanted`` picks (vectorised over the site ids)."""
        return np.flatnonzero(wanted(self.table.site_id[:self.table.size])).astype(np.int64)

    def slots_of(self, channel_ids: list[int]) -> list[int]:
        """The slots of those of ``channel_ids`` the detector knows."""
        return [self.table.slot_of[c] for c in channel_ids if c in self.table.slot_of]

    def channel(self, slot: int) -> ChannelInfo:
        return self.table.info[slot]

    def restore_level(self, channel_id: int, cause: str, rank: int) -> None:
        """After a restart: the level a channel's alarm is at, so the next reading is a change only if it is one."""
        slot = self.table.slot_of.get(channel_id)
        if slot is not None and cause in C:
            self.table.desired[C[cause], slot] = rank

    def threshold(self, change: Change) -> float | None:
        """The setting a change crossed, as the alarm records it."""
        s = self.table.settings
        slot = change.slot
        match change.cause:
            case "leakage" | "overtemp" | "voltage" | "overload":
                value = s["alarm" if change.level == 2 else "prealarm"][slot]
            case "leakage_trend" | "arc":
                value = s["alarm"][slot]
            case "short_circuit":
                value = d.SHORT_CIRCUIT_MULTIPLE * s["rated_a"][slot]
            case "hot_joint":
                return d.HOT_JOINT_ALARM_K if change.level == 2 else d.HOT_JOINT_PREALARM_K
            case _:
                return None
        return None if np.isnan(value) else float(value)

    def states(self, slots: list[int]) -> list[tuple[int, list[float]]]:
        """(channel id, state) of ``slots``, for a checkpoint."""
        return [(self.table.info[slot].channel_id, self.table.export(slot)) for slot in slots]

    def take_dirty(self) -> list[int]:
        """Slots whose state changed since the last call (marked clean now; ``mark_dirty`` if they were not saved)."""
        table = self.table
        dirty: list[int] = np.flatnonzero(table.dirty[: table.size]).tolist()
        table.dirty[:] = False
        return dirty

    def mark_dirty(self, slots: list[int]) -> None:
        self.table.dirty[slots] = True

    def latest(self, findings: Findings, sites: frozenset[int]) -> list[tuple[ChannelInfo, float, float]]:
        """The newest (channel, ts, value) of each channel of ``sites`` in a batch's findings (the live view)."""
        return [(self.table.info[slot], t, v) for slot, (t, v) in findings.latest_of(sites, self.table).items()]

    def channel_ids(self, slots: Int) -> Int:
        return self.table.channel_id[slots]

    def device_ids(self, slots: Int) -> set[int]:
        return set(self.table.device_id[np.unique(slots)].tolist())

    def _arc_windows(self, slot: Int, ts: Float, count: Float) -> tuple[Int, Float, Float]:
        """Arc events → one row per event holding the half-cycle count of the window ending at it."""
        parts_slot, parts_ts, parts_count = [slot], [ts], [count]
        for s in np.unique(slot).tolist():
            tail = self._arc_tail.get(s)
            if tail is not None:
                parts_slot.append(np.full(tail[0].shape[0], s, dtype=np.int64))
                parts_ts.append(tail[0])
                parts_count.append(tail[1])
        all_slot, all_ts, all_count = np.concatenate(parts_slot), np.concatenate(parts_ts), np.concatenate(parts_count)
        is_new = np.zeros(all_slot.shape[0], dtype=np.bool_)
        is_new[: slot.shape[0]] = True
        order = np.lexsort((all_ts, all_slot))
        all_slot, all_ts, all_count, is_new = all_slot[order], all_ts[order], all_count[order], is_new[order]
        # Offsets keep each slot's windows apart: key = segment number × (span + 2 windows) + time.
        seg_no = np.cumsum(np.r_[True, all_slot[1:] != all_slot[:-1]])
        t0 = float(all_ts.min())
        span = float(all_ts.max()) - t0 + 2 * ARC_WINDOW_S
        key = seg_no * span + (all_ts - t0)
        sums = np.minimum(window_sums(key, all_count, ARC_WINDOW_S), ARC_MAX_PER_WINDOW)
        for s in np.unique(all_slot).tolist():
            mask = all_slot == s
            newest = float(all_ts[mask].max())
            keep = mask & (all_ts > newest - ARC_WINDOW_S)
            self._arc_tail[s] = (all_ts[keep], all_count[keep])
        return all_slot[is_new], all_ts[is_new], sums[is_new]

    def _pass(self, slot: Int, ts: Float, value: Float, out: Findings, now: float | None) -> None:
        table = self.table
        st = table.state
        ordered = slot.shape[0] < 2 or bool(np.all((slot[1:] > slot[:-1]) | ((slot[1:] == slot[:-1]) &
                                                                               (ts[1:] >= ts[:-1]))))
        if not ordered:
            order = np.lexsort((ts, slot))
            slot, ts, value = slot[order], ts[order], value[order]
        keep = table.enabled[slot]
        if not keep.all():
            slot, ts, value = slot[keep], ts[keep], value[keep]
        if not slot.shape[0]:
            return
        # Every sample is judged, in time order per channel, on the channel's own clock. Samples stamped ahead of
        # the server (a device clock running fast) count as of now, so they cannot move the channel's time so far
        # ahead that the readings after them look late. Late samples (older than what the channel has seen: a backlog
        # sent after an outage) are judged on their own times in a lane of their own (``_late``).
        with np.errstate(invalid="ignore"):
            late = ts <= st["last_ts"][slot]
        if late.any():
            self._late(d.Rows(slot[late], ts[late], value[late]), out)
            slot, ts, value = slot[~late], ts[~late], value[~late]
            if not slot.shape[0]:
                return
        judged = ts
        if now is not None:
            # A channel's samples that run ahead of the server move back together, so the newest counts as now
            # and the spacing between them (a run's duration) is kept.
            seg = segment_starts(slot)
            ahead = np.maximum(ts[segment_ends(seg)] - now, 0.0)
            judged = ts - ahead[np.cumsum(seg) - 1]
        judged = np.fmax(judged, st["last_ts"][slot])
        stamped = ts
        rows = d.Rows(slot, judged, value)
        bad = d.out_of_range(table, rows)
        sensor_level = d.sensor(table, rows, bad)
        stuck = (sensor_level == 3) & ~bad
        self._changes(rows, "sensor", sensor_level, out,
                      detail=lambda i: {"reason": "stuck" if stuck[i] else "out_of_range"})
        good = rows.take(~bad)
        qty = table.qty[good.slot]

        current = good.take(qty == Q["current_a"])
        temp = good.take(qty == Q["temp_c"])
        # A terminal's temperature is judged against its load as it was at the temperature's own time.
        partner = table.partner[temp.slot]
        paired = partner >= 0
        carried_theta = np.where(paired, st["theta"][np.maximum(partner, 0)], np.nan)  # before overload moves it
        theta = np.empty(0)
        if len(current):
            level, theta = d.overload(table, current)
            self._changes(current, "overload", level, out)
            self._changes(current, "short_circuit", d.short_circuit(table, current), out)
        residual = good.take(qty == Q["residual_ma"])
        if len(residual):
            self._changes(residual, "leakage", d.threshold(table, residual), out)
            # Natural leakage follows the connected load: the trend is judged against the device's current.
            owner = table.partner[residual.slot]
            meter = np.maximum(owner, 0)
            amps = as_of(current.slot, current.ts, current.value, meter, residual.ts, st["last_value"][meter])
            load = np.where(owner >= 0, np.clip(np.nan_to_num(amps / table.settings["rated_a"][meter]), 0.0, 1.2), 0.0)
            at, level, eta = trend.leakage_trend(table, residual, load)
            picked = np.zeros(len(residual), dtype=np.bool_)
            picked[at] = True
            self._changes(residual.take(picked), "leakage_trend", level, out,
                          detail=lambda i: {"projected_at": float(eta[i])})
        if len(temp):
            self._changes(temp, "overtemp", d.threshold(table, temp), out)
            load = as_of(current.slot, current.ts, theta, np.maximum(partner, 0), temp.ts, carried_theta)
            peer_slot = np.maximum(table.peer[temp.slot], 0)
            peer = as_of(temp.slot, temp.ts, temp.value, peer_slot, temp.ts, st["last_value"][peer_slot])
            peer[table.peer[temp.slot] < 0] = np.nan
            paired &= ~np.isnan(load)
            joint = temp.take(paired)
            if len(joint):
                level, excess = d.hot_joint(table, joint, load[paired], peer[paired])
                self._changes(joint, "hot_joint", level, out, detail=lambda i: {"excess_c": round(float(excess[i]), 1)})
        voltage = good.take(qty == Q["voltage_v"])
        if len(voltage):
            self._changes(voltage, "voltage", d.threshold(table, voltage), out)
        arcs = good.take(qty == Q["arc"])
        if len(arcs):
            self._changes(arcs, "arc", d.arc(table, arcs), out)

        ends = rows.slot[rows.end]
        st["last_ts"][ends] = rows.ts[rows.end]
        st["last_value"][ends] = rows.value[rows.end]
        table.dirty[ends] = True
        out.latest.append((ends, stamped[rows.end], rows.value[rows.end]))

    def _history(self, slot: Int, ts: Float, value: Float, now: float, out: Findings) -> tuple[Int, Float, Float]:
        """Judge the channels whose newest sample is history as late samples (``_late``); return the others."""
        if float(ts.min()) >= now - HISTORY_S:
            return slot, ts, value  # the usual batch: nothing in it is an hour old
        channels, which = np.unique(slot, return_inverse=True)
        newest = np.full(channels.shape[0], -np.inf)
        np.maximum.at(newest, which, ts)
        old = newest[which] < now - HISTORY_S
        if not old.any():
            return slot, ts, value
        order = np.lexsort((ts[old], slot[old]))
        self._late(d.Rows(slot[old][order], ts[old][order], value[old][order]), out)
        return slot[~old], ts[~old], value[~old]

    def _late(self, rows: d.Rows, out: Findings) -> None:
        """Late samples: the levels and durations they show on their own times, as episodes of the past.

        Only what a level held for a while says is judged (leakage, temperature, voltage, short circuit); the
        integrating detectors (overload, hot joint, trend, arc windows) follow the channel's present. An episode
        whose cause has no alarm now is raised and cleared at the times the samples show; one whose cause is
        active now adds nothing.
        """
        table = self.table
        st = table.state
        saved = {name: st[name][rows.slot].copy() for name in _LATE_STATE}
        for name in _LATE_STATE:
            st[name][rows.slot] = False if name.endswith("_on") else np.nan
        try:
            good = rows.take(~d.out_of_range(table, rows))
            qty = table.qty[good.slot]
            lanes = [(good.take(qty == Q["residual_ma"]), "leakage"), (good.take(qty == Q["temp_c"]), "overtemp"),
                     (good.take(qty == Q["voltage_v"]), "voltage")]
            found = [(part, cause, d.threshold(table, part)) for part, cause in lanes if len(part)]
            current = good.take(qty == Q["current_a"])
            if len(current):
                found.append((current, "short_circuit", d.short_circuit(table, current)))
        finally:
            for name, values in saved.items():
                st[name][rows.slot] = values
        for part, cause, level in found:
            self._episodes(part, cause, level, out)

    def _episodes(self, rows: d.Rows, cause: str, level: np.ndarray[Any, Any], out: Findings) -> None:
        c = C[cause]
        for s in np.unique(rows.slot).tolist():
            if self.table.desired[c, s] > 0:
                continue  # the cause is an alarm now: the late samples belong to it
            mine = np.flatnonzero(rows.slot == s)
            wanted = level[mine] > 0
            start = 0
            while start < mine.shape[0]:
                on = np.flatnonzero(wanted[start:])
                if not on.size:
                    break
                first = start + int(on[0])
                off = np.flatnonzero(~wanted[first:])
                stop = first + int(off[0]) if off.size else mine.shape[0]
                run = mine[first:stop]
                worst = int(level[run].max())
                peak = float(rows.value[run].max())
                end = mine[stop] if stop < mine.shape[0] else mine[-1]
                out.changes.append(Change(s, cause, worst, float(rows.ts[run[0]]), peak, {"late": True}))
                out.changes.append(Change(s, cause, 0, float(rows.ts[end]), float(rows.value[end]), {"late": True}))
                start = stop

    def _changes(self, rows: d.Rows, cause: str, level: np.ndarray[Any, Any], out: Findings,
                 detail: Any = None) -> None:
        c = C[cause]
        desired = self.table.desired
        prev = previous(level, rows.seg, desired[c, rows.slot])
        desired[c, rows.slot[rows.end]] = level[rows.end]
        for i in np.flatnonzero(level != prev).tolist():
            out.changes.append(Change(int(rows.slot[i]), cause, int(level[i]), float(rows.ts[i]),
                                      float(rows.value[i]), detail(i) if detail else {}))
        wanted = level > 0
        if wanted.any():
            slots = rows.slot[wanted]
            values = rows.value[wanted]
            order = np.lexsort((values, slots))
            last_of = np.r_[slots[order][1:] != slots[order][:-1], True]
            for s, v in zip(slots[order][last_of].tolist(), values[order][last_of].tolist(), strict=True):
                key = (s, cause)
                out.peaks[key] = max(v, out.peaks.get(key, v))

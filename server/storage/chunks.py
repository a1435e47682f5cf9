"""Raw readings as packed per-channel chunks (migration 0030): the packing, the grouping of a batch into chunk rows
and the decoding of stored chunks, in numpy. No SQL here: server/storage/readings.py and forward_box.py read and
write the ``reading_chunks`` table.

One chunk is one channel's readings of one ingest batch within one 10-minute bucket, ``ts`` ascending, both
columns packed as big-endian float64 (what PostgreSQL's ``float8send`` gives, so old rows can be packed in SQL).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["BUCKETS_PER_DAY", "BUCKET_S", "ChunkRow", "Decoded", "day_name", "decode", "first_of_each", "group", "pack",
           "unpack"]

BUCKET_S = 600
BUCKETS_PER_DAY = 86400 // BUCKET_S  # PostgreSQL keeps one partition per UTC day

ChunkRow = tuple[int, int, float, float, int, bytes, bytes]  # (bucket, channel_id, t0, t1, n, ts, value)
_WIRE = np.dtype(">f8")


def pack(values: NDArray[np.float64]) -> bytes:
    return np.ascontiguousarray(values, dtype=_WIRE).tobytes()


def unpack(blob: bytes) -> NDArray[np.float64]:
    return np.frombuffer(blob, dtype=_WIRE).astype(np.float64)


def day_name(day: int) -> str:
    """The partition of UTC day number ``day`` (buckets ``[day·144, (day+1)·144)``), e.g. reading_chunks_d20261206."""
    return "reading_chunks_d" + datetime.fromtimestamp(day * 86400, UTC).strftime("%Y%m%d")


@dataclass
class Decoded:
    """Readings of several chunks side by side, in the order of the chunks (each chunk's ``ts`` ascending)."""

    bucket: NDArray[np.int64]
    channel_id: NDArray[np.int64]
    ts: NDArray[np.float64]
    value: NDArray[np.float64]

    def take(self, keep: NDArray[Any]) -> Decoded:
        return Decoded(self.bucket[keep], self.channel_id[keep], self.ts[keep], self.value[keep])

    def __len__(self) -> int:
        return int(self.ts.shape[0])


def decode(rows: Iterable[Any]) -> Decoded:
    """Rows with ``bucket, channel_id, n, ts, value`` (by name) as one set of arrays."""
    buckets: list[int] = []
    channels: list[int] = []
    counts: list[int] = []
    ts: list[bytes] = []
    values: list[bytes] = []
    for row in rows:
        buckets.append(int(row["bucket"]))
        channels.append(int(row["channel_id"]))
        counts.append(int(row["n"]))
        ts.append(bytes(row["ts"]))
        values.append(bytes(row["value"]))
    n = np.asarray(counts, dtype=np.int64)
    return Decoded(np.repeat(np.asarray(buckets, dtype=np.int64), n),
                   np.repeat(np.asarray(channels, dtype=np.int64), n), unpack(b"".join(ts)), unpack(b"".join(values)))


def first_of_each(channel_id: NDArray[np.int64], ts: NDArray[np.float64]) -> NDArray[np.intp]:
    """Indices that order readings by (bucket, channel, ts), keeping only the first (in the given order) of equal
    (channel, ts)."""
    bucket = np.floor_divide(ts, BUCKET_S).astype(np.int64)
    order = np.lexsort((ts, channel_id, bucket))  # stable: equal keys keep their order in the batch
    if order.shape[0] > 1:
        c, t = channel_id[order], ts[order]
        keep = np.r_[True, (c[1:] != c[:-1]) | (t[1:] != t[:-1])]
        order = order[keep]
    return order


def group(channel_id: NDArray[np.int64], ts: NDArray[np.float64], value: NDArray[np.float64]) -> list[ChunkRow]:
    """Readings ordered by (bucket, channel, ts) as one chunk row per (bucket, channel)."""
    if ts.shape[0] == 0:
        return []
    bucket = np.floor_divide(ts, BUCKET_S).astype(np.int64)
    starts = np.flatnonzero(np.r_[True, (bucket[1:] != bucket[:-1]) | (channel_id[1:] != channel_id[:-1])])
    ends = np.r_[starts[1:], ts.shape[0]]
    ts_blob, value_blob = pack(ts), pack(value)
    rows: list[ChunkRow] = []
    for a, b, bk, ch, t0, t1 in zip(starts.tolist(), ends.tolist(), bucket[starts].tolist(),
                                    channel_id[starts].tolist(), ts[starts].tolist(), ts[ends - 1].tolist(),
                                    strict=True):
        rows.append((bk, ch, t0, t1, b - a, ts_blob[a * 8:b * 8], value_blob[a * 8:b * 8]))
    return rows

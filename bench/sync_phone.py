"""The device side of the sync benchmark (P6): an inspector's phone that queues mutations while offline, and a
first pull as the PWA does it, page after page."""

from __future__ import annotations

import random
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import msgspec

from bench.sync_seed import World
from offline_sync.hlc import Clock
from server.inspections import templates

__all__ = ["Phone", "Pulled", "pull_all", "uuid7"]

INSPECTIONS_PER_PUSH = 11  # 11 × (1 create + 40 answers) + 25 comments + 24 title edits = 500 mutations
COMMENTS_PER_PUSH = 25
EDITS_PER_PUSH = 24


def uuid7() -> str:
    """A UUIDv7 (RFC 9562), as the PWA names what it makes: 48 bits of Unix ms, then random bits."""
    value = (time.time_ns() // 1_000_000) << 80 | secrets.randbits(80)
    value = value & ~(0xF << 76) | 0x7 << 76  # version 7
    value = value & ~(0x3 << 62) | 0x2 << 62  # variant 10
    return str(uuid.UUID(int=value))


class Phone:
    """An inspector's phone: its client id, its hybrid logical clock, and what it queues while offline."""

    def __init__(self, world: World, rng: random.Random) -> None:
        self.client_id = f"bench-{secrets.token_hex(4)}"
        self.clock = Clock(self.client_id)
        self.world = world
        self.rng = rng
        self.hazards = iter(world.open_hazard_ids)  # each push comments on and edits hazards no push touched yet
        template = templates.template_for("inspection", "market")
        assert template is not None
        self.keys = [i.key for i in template.items]

    def mutation(self, op: str, entity: str, entity_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        stamp = self.clock.tick(int(time.time() * 1000))  # the server refuses stamps > 24 h ahead of its clock
        return {"mutation_id": uuid7(), "hlc": str(stamp), "entity": entity, "entity_id": entity_id, "op": op,
                "fields": fields}

    def morning(self) -> bytes:
        """One push body of 500 fresh mutations, in the order they were made: each visit started, its 40 items
        answered, and between visits comments on and title edits of existing hazards."""
        mutations = []
        extras = [("comment", n) for n in range(COMMENTS_PER_PUSH)] + [("edit", n) for n in range(EDITS_PER_PUSH)]
        for visit in range(INSPECTIONS_PER_PUSH):
            inspection = uuid7()
            site = self.world.market_site_ids[visit % len(self.world.market_site_ids)]
            mutations.append(self.mutation("create", "inspection", inspection, {"site_id": site}))
            for key in self.keys:
                answer = "fail" if self.rng.random() < 0.05 else "pass"
                mutations.append(self.mutation("append", "checklist_answer", uuid7(), {
                    "inspection_id": inspection, "key": key, "answer": answer,
                    "note": "插座面板烧焦" if answer == "fail" else ""}))
            for kind, n in extras[visit::INSPECTIONS_PER_PUSH]:
                hazard = str(next(self.hazards))
                if kind == "comment":
                    mutations.append(self.mutation("append", "hazard_comment", uuid7(), {
                        "hazard_id": hazard, "text": f"复查：业主称已整改，照片待补（{n + 1}）"}))
                else:
                    mutations.append(self.mutation("update", "hazard", hazard, {
                        "title": f"配电箱内插排串接，负载过大（复查第{n + 1}处）"}))
        return msgspec.json.encode({"v": 1, "client_id": self.client_id, "mutations": mutations})


class _Change(msgspec.Struct):
    entity: str
    entity_id: str
    deleted: bool  # "fields" is skipped: the client reads what it needs to page on and to count records


class _Page(msgspec.Struct):
    cursor: str
    changes: list[_Change]
    more: bool


_page = msgspec.json.Decoder(_Page)


@dataclass
class Pulled:
    seconds: float = 0.0
    pages: int = 0
    records: int = 0
    json_bytes: int = 0
    wire_bytes: int = 0
    bodies: list[tuple[int, str, bytes]] = field(default_factory=list)  # (limit, cursor asked, answer)


def pull_all(http: httpx.Client, limit: int, keep: bool = False) -> Pulled:
    """A first pull: from no cursor, page after page until ``more`` is false; ``keep`` the answers' bytes."""
    out = Pulled()
    seen: set[tuple[str, str]] = set()
    cursor = ""
    start = time.perf_counter()
    while True:
        r = http.get("/api/v1/sync/pull", params={"limit": limit, **({"cursor": cursor} if cursor else {})})
        if r.status_code != 200:
            raise SystemExit(f"pull answered {r.status_code}: {r.text[:300]}")
        page = _page.decode(r.content)
        if keep:
            out.bodies.append((limit, cursor, r.content))
        out.pages += 1
        out.json_bytes += len(r.content)
        out.wire_bytes += r.num_bytes_downloaded
        seen.update((c.entity, c.entity_id) for c in page.changes)
        out.records += len(page.changes)
        cursor = page.cursor
        if not page.more:
            break
    out.seconds = time.perf_counter() - start
    if len(seen) != out.records:
        raise SystemExit(f"a first pull brought {out.records} changes but {len(seen)} records")
    return out

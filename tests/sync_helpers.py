"""Building sync pushes and reading pulls in tests, as a device would."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.testing import TestClient

from offline_sync.hlc import Clock

__all__ = ["Device", "pull_all", "resolved"]


class Device:
    """One phone: its client id, its hybrid logical clock, and a wall clock the test moves."""

    def __init__(self, name: str, wall_ms: int = 1_763_856_000_000) -> None:
        self.client_id = f"{name}-{uuid.uuid4().hex[:8]}"
        self.clock = Clock(self.client_id)
        self.wall_ms = wall_ms

    def mutation(self, op: str, entity: str, entity_id: str, fields: dict[str, Any] | None = None,
                 **extra: Any) -> dict[str, Any]:
        self.wall_ms += 1
        return {"mutation_id": str(uuid.uuid4()), "hlc": str(self.clock.tick(self.wall_ms)), "op": op,
                "entity": entity, "entity_id": entity_id, "fields": fields or {}, **extra}

    def push(self, client: TestClient[Any], headers: dict[str, str], mutations: list[Any]) -> list[dict[str, Any]]:
        r = client.post("/api/v1/sync/push", json={"v": 1, "client_id": self.client_id, "mutations": mutations},
                        headers=headers)
        assert r.status_code == 200, r.text
        results: list[dict[str, Any]] = r.json()["results"]
        assert len(results) == len(mutations)
        return results


def pull_all(client: TestClient[Any], headers: dict[str, str], cursor: str | None = None,
             limit: int = 500) -> tuple[dict[tuple[str, str], dict[str, Any]], str, list[dict[str, Any]]]:
    """Every page until ``more`` is false: (records by (entity, entity_id), the last cursor, every change)."""
    records: dict[tuple[str, str], dict[str, Any]] = {}
    changes: list[dict[str, Any]] = []
    while True:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        r = client.get("/api/v1/sync/pull", params=params, headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        changes += body["changes"]
        for change in body["changes"]:
            key = (change["entity"], change["entity_id"])
            if change["deleted"]:
                records.pop(key, None)
            else:
                records[key] = change["fields"]
        cursor = body["cursor"]
        if not body["more"]:
            return records, body["cursor"], changes


def resolved(records: dict[tuple[str, str], dict[str, Any]], inspection: dict[str, Any]) -> dict[str, Any]:
    """A pulled inspection with its items from the checklist copy it names, as GET /api/v1/inspections/{id}
    answers it."""
    fields = {k: v for k, v in inspection.items() if k != "checklist"}
    return {**fields, "items": records["checklist", inspection["checklist"]]["items"]}

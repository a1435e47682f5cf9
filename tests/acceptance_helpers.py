"""A signed acceptance as the PWA sends it: photos uploaded for the items that ask for them, a drawn signature."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from litestar.testing import TestClient

__all__ = ["PHOTO", "SIGNATURE", "answers", "upload"]

# A 1×1 PNG (a drawn signature is a PNG from the canvas) and a photo's first bytes (the server sniffs the type).
SIGNATURE = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAA"
                             "AABJRU5ErkJggg==")
PHOTO = b"\xff\xd8\xff\xe0 the installed detector and its wiring"


def upload(client: TestClient[Any], headers: dict[str, str], data: bytes, content_type: str) -> str:
    sha = hashlib.sha256(data).hexdigest()
    r = client.put(f"/api/v1/attachments/{sha}", content=data, headers={**headers, "Content-Type": content_type})
    assert r.status_code in (200, 201), r.text
    return sha


def answers(client: TestClient[Any], headers: dict[str, str], checklist: list[dict[str, Any]],
            fail: str | None = None) -> list[dict[str, Any]]:
    """Every item passed (``fail`` failed), with an uploaded photo on each item that asks for one."""
    photo = upload(client, headers, PHOTO, "image/jpeg")
    return [{"key": i["key"], "answer": "fail" if i["key"] == fail else "pass",
             **({"attachments": [photo]} if i.get("photo") else {})} for i in checklist]

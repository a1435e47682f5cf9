"""The unit signs the rectification notice (整改通知书) with a drawn signature: an image the inspector's phone uploaded,
checked as an acceptance's signature is (attachments.citing), over HTTP and over sync; readable by whoever sees the
inspection; drawn on the HTML page and embedded in the PDF (read back with pdfimages)."""

from __future__ import annotations

import base64
import hashlib
import io
import subprocess
from pathlib import Path
from typing import Any

from litestar.testing import TestClient
from PIL import Image, ImageDraw

from .acceptance_helpers import upload
from .conftest import World
from .sync_helpers import Device, pull_all

PDF = b"%PDF-1.4 a scanned form, not a drawn signature"


def _drawing(width: int = 240, height: int = 80) -> bytes:
    """A signature as the pad exports it: ink strokes on white, a PNG."""
    image = Image.new("RGB", (width, height), "white")
    pen = ImageDraw.Draw(image)
    pen.line([(12, 60), (60, 14), (90, 66), (140, 20), (200, 58)], fill=(16, 36, 62), width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _signed_visit(client: TestClient[Any], world: World) -> str:
    """A visit to the market signed by its inspector, one item failed: its path."""
    inspector = world.headers("inspector_heshan")
    inspection = client.post("/api/v1/inspections", json={"site_id": world.sites["site_market"]},
                             headers=inspector).json()
    answers = [{"key": i["key"], "answer": "fail" if i["key"] == "stall_heaters" else "pass"}
               for i in inspection["items"]]
    path = f"/api/v1/inspections/{inspection['id']}"
    assert client.post(f"{path}/answers", json={"answers": answers}, headers=inspector).status_code == 200
    assert client.post(f"{path}/complete", json={"signed_by": "李娟"}, headers=inspector).status_code == 200
    return path


def _pdf_images(data: bytes, tmp_path: Path) -> list[list[str]]:
    """pdfimages -list's rows (page, num, type, width, height, …), without its two heading lines."""
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(data)
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in listing.splitlines()[2:] if line.strip()]


def test_the_unit_signs_the_notice_with_a_drawing(client: TestClient[Any], world: World, tmp_path: Path) -> None:
    inspector = world.headers("inspector_heshan")
    path = _signed_visit(client, world)

    # Signed by name alone the PDF holds no image.
    assert _pdf_images(client.get(f"{path}/notice", params={"format": "pdf"}, headers=inspector).content,
                       tmp_path) == []

    def refused(signature: str) -> dict[str, Any]:
        r = client.post(f"{path}/acknowledge", json={"signed_by": "王店主", "signature": signature}, headers=inspector)
        assert r.status_code == 400, r.text
        assert r.json()["detail"].startswith("signature: ")
        return r.json()["extra"]  # type: ignore[no-any-return]

    drawing = _drawing()
    # Not uploaded yet; a scanned PDF; another grid's inspector's drawing; not a sha256 at all: each names the field.
    assert refused(hashlib.sha256(drawing).hexdigest())["code"] == "attachment_missing"
    pdf = upload(client, inspector, PDF, "application/pdf")
    assert refused(pdf)["code"] == "not_image"
    foreign = upload(client, world.headers("inspector_ziyang"), _drawing(120, 40), "image/png")
    assert refused(foreign)["code"] == "attachment_missing"
    r = client.post(f"{path}/acknowledge", json={"signed_by": "王店主", "signature": "not-a-hash"}, headers=inspector)
    assert r.status_code == 400 and "signature" in r.json()["detail"], r.text
    assert client.get(path, headers=inspector).json()["unit_signed_by"] is None  # nothing refused was kept

    sha = upload(client, inspector, drawing, "image/png")
    r = client.post(f"{path}/acknowledge", json={"signed_by": "王店主", "signature": sha}, headers=inspector)
    assert r.status_code == 200, r.text
    assert r.json()["unit_signed_by"] == "王店主" and r.json()["unit_signature"] == sha
    notice = client.get(f"{path}/notice", headers=inspector).json()
    assert notice["unit_signature"] == sha and notice["unit_signed_at"]

    # Whoever sees the inspection may see the drawing (the owner never uploaded it); others may not know it exists.
    shown = client.get(f"/api/v1/attachments/{sha}", headers=world.headers("owner_1"))
    assert shown.status_code == 200 and shown.content == drawing and shown.headers["content-type"] == "image/png"
    for outsider in ("owner_2", "inspector_ziyang"):
        assert client.get(f"/api/v1/attachments/{sha}", headers=world.headers(outsider)).status_code == 404

    # The HTML page carries the drawing itself (it stands alone), next to the name and the time.
    html = client.get(f"{path}/notice", params={"format": "html"}, headers=world.headers("owner_1"))
    assert "img-src data:" in html.headers["content-security-policy"]
    unit = html.text[html.text.index('data-testid="notice-unit-sign"'):]
    assert unit.index("王店主") < unit.index("签收时间") < unit.index(
        f'src="data:image/png;base64,{base64.b64encode(drawing).decode()}"')

    # The PDF embeds it: one image, the drawing's size and its very pixels.
    pdf_bytes = client.get(f"{path}/notice", params={"format": "pdf"}, headers=inspector).content
    [row] = _pdf_images(pdf_bytes, tmp_path)
    assert (row[2], row[3], row[4]) == ("image", "240", "80"), row
    subprocess.run(["pdfimages", "-png", str(tmp_path / "notice.pdf"), str(tmp_path / "img")], check=True)
    embedded = Image.open(tmp_path / "img-000.png").convert("RGB")
    assert embedded.tobytes() == Image.open(io.BytesIO(drawing)).convert("RGB").tobytes()
    text = subprocess.run(["pdftotext", str(tmp_path / "notice.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "王店主" in text and "被检查单位签收" in text

    # Signed once: a second signature is a conflict, whatever it carries.
    again = client.post(f"{path}/acknowledge", json={"signed_by": "别人", "signature": sha}, headers=inspector)
    assert again.status_code == 409


def test_the_drawing_signed_offline_syncs_with_the_acknowledgement(client: TestClient[Any], world: World) -> None:
    inspector = world.headers("inspector_heshan")
    path = _signed_visit(client, world)
    inspection_id = int(path.rsplit("/", 1)[1])
    records, _, _ = pull_all(client, inspector)
    entity_id = next(k[1] for k, v in records.items() if k[0] == "inspection" and v["id"] == inspection_id)
    phone = Device("inspector")

    def acknowledged(signature: str) -> dict[str, Any]:
        [result] = phone.push(client, inspector, [phone.mutation("transition", "inspection", entity_id, {
            "to": "acknowledged", "signed_by": "王店主", "signature": signature})])
        return result

    # The phone sends the drawing first; a push naming one it never sent, or a PDF, is refused naming the field.
    drawing = _drawing()
    missing = acknowledged(hashlib.sha256(drawing).hexdigest())
    assert missing["status"] == "rejected" and missing["reason"].startswith("fields.signature: no attachment")
    not_image = acknowledged(upload(client, inspector, PDF, "application/pdf"))
    assert not_image["status"] == "rejected" and not_image["reason"].startswith("fields.signature: the signature "
                                                                                "must be an image")
    sha = upload(client, inspector, drawing, "image/png")
    assert acknowledged(sha)["status"] == "applied"
    records, _, _ = pull_all(client, inspector)
    assert records["inspection", entity_id]["unit_signature"] == sha
    assert records["inspection", entity_id]["unit_signed_by"] == "王店主"


def test_a_drawing_the_pdf_cannot_read_leaves_the_name_and_time(client: TestClient[Any], world: World,
                                                                 tmp_path: Path) -> None:
    """Bytes that say they are a JPEG but are no picture (or a HEIC fpdf2 cannot draw): the notice is still made."""
    inspector = world.headers("inspector_heshan")
    path = _signed_visit(client, world)
    broken = upload(client, inspector, b"\xff\xd8\xff\xe0 only the start of a photo", "image/jpeg")
    r = client.post(f"{path}/acknowledge", json={"signed_by": "王店主", "signature": broken}, headers=inspector)
    assert r.status_code == 200, r.text
    pdf = client.get(f"{path}/notice", params={"format": "pdf"}, headers=inspector)
    assert pdf.status_code == 200 and _pdf_images(pdf.content, tmp_path) == []
    text = subprocess.run(["pdftotext", str(tmp_path / "notice.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "王店主" in text and "签收时间" in text

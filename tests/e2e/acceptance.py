"""The acceptance's evidence in the browser, as an installer gives it: photos on the items that ask for them and a
signature drawn in the box (mouse moves, as a finger would)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from ..acceptance_helpers import SIGNATURE

__all__ = ["PHOTO", "draw", "photograph"]

# A real (tiny) PNG as the photo: the PWA decodes and shrinks it like a phone's.
PHOTO = SIGNATURE


def draw(page: Page, canvas_testid: str) -> None:
    """Two strokes across the signature box."""
    canvas = page.get_by_test_id(canvas_testid)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    for points in ([(0.1, 0.6), (0.25, 0.3), (0.4, 0.7), (0.55, 0.35)], [(0.6, 0.5), (0.75, 0.55), (0.9, 0.45)]):
        page.mouse.move(x + w * points[0][0], y + h * points[0][1])
        page.mouse.down()
        for px, py in points[1:]:
            page.mouse.move(x + w * px, y + h * py, steps=4)
        page.mouse.up()


def photograph(form: Locator, directory: Path) -> None:
    """A photo on every checklist item that asks for one, each uploaded."""
    photo = directory / "installed.png"
    photo.write_bytes(PHOTO)
    items = form.locator('[data-testid="check-item"][data-photo="required"]')
    for key in [k for k in (i.get_attribute("data-key") for i in items.all()) if k]:
        form.get_by_test_id(f"check-{key}-photo-input").set_input_files(str(photo))
        expect(form.get_by_test_id(f"check-{key}-photo")).to_have_attribute("data-state", "done")

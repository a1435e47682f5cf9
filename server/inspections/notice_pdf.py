"""The rectification notice as a PDF (A4) to print and sign, with the CJK font the health-check report uses
(server/reports/pdf.py find_font: Noto Sans CJK from fonts-noto-cjk, or ANDIAN_CJK_FONT), subset by fpdf2.
The findings are an fpdf2 table, so long words wrap inside their cells instead of running over the next."""

from __future__ import annotations

import io
import logging
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.fonts import FontFace

from server.inspections.notice import WORDS
from server.inspections.notice_html import photo_refs, when
from server.inspections.schemas import Notice
from server.reports.pdf import find_font

__all__ = ["render_pdf"]

log = logging.getLogger(__name__)

# The drawn signature's box under the unit's line, in mm: as wide as a signature on paper, never taller than this.
_SIGNATURE_W, _SIGNATURE_H = 60, 22

# Column widths in mm across the 180 mm between the margins: number, finding, item, severity, due, who, photos.
_WIDTHS = (10, 50, 42, 16, 20, 20, 22)


def _doc() -> FPDF:
    doc = FPDF(format="A4")
    path, index = find_font()
    if path.endswith(".ttc"):
        doc.add_font("cjk", fname=path, collection_font_number=index)
    else:
        doc.add_font("cjk", fname=path)
    doc.set_margins(15, 15, 15)
    doc.set_auto_page_break(True, margin=15)
    doc.add_page()
    return doc


def _drawn(doc: FPDF, signature: tuple[bytes, str] | None, words: str) -> None:
    """The unit's drawn signature under its name, fitted into the box (its proportions kept). An image fpdf2 cannot
    read (HEIC from a phone's camera) leaves the name and time alone rather than failing the whole notice."""
    if signature is None:
        return
    x, y = doc.get_x(), doc.get_y()
    try:
        doc.image(io.BytesIO(signature[0]), x=x, y=y, w=_SIGNATURE_W, h=_SIGNATURE_H, keep_aspect_ratio=True,
                  alt_text=words)
    except Exception:  # fpdf2 and Pillow raise many kinds for bytes they cannot decode
        log.warning("the unit's drawn signature (%s) could not be drawn into the notice's PDF", signature[1],
                    exc_info=True)
        return
    doc.set_xy(x, y + _SIGNATURE_H)


def render_pdf(notice: Notice, tz: str, signature: tuple[bytes, str] | None = None) -> bytes:
    """``signature``: the unit's drawn signature (bytes, type) when it signed with one (notice.signature_image)."""
    w = WORDS[notice.lang]
    zone = ZoneInfo(tz)
    s = notice.site
    doc = _doc()
    doc.set_font("cjk", size=20)
    doc.cell(0, 12, w["title"], align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("cjk", size=10)
    doc.multi_cell(0, 6, f"{w['unit']}：{s.name}    {w['venue']}：{s.venue_type_name}\n"
                         f"{w['address']}：{s.address}    {w['region']}：{s.region_name}\n"
                         f"{w['checklist']}：{notice.checklist}\n"
                         f"{w['inspector']}：{notice.inspector}    "
                         f"{w['inspected']}：{when(notice.completed_at or notice.started_at, zone, True)}    "
                         f"{w['items_total']} {notice.total} · {w['failed']} {len(notice.findings)}",
                   new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    if notice.findings:
        doc.multi_cell(0, 6, w["intro"], new_x="LMARGIN", new_y="NEXT")
        doc.ln(2)
        doc.set_font("cjk", size=9)
        with doc.table(col_widths=_WIDTHS, text_align="LEFT", line_height=5,
                       headings_style=FontFace(fill_color=(238, 241, 247))) as table:
            table.row([w["number"], w["finding"], w["item"], w["severity"], w["due"], w["assignee"], w["photos"]])
            for f in notice.findings:
                finding = f.title if not f.note or f.note.strip() == f.title else f"{f.title}\n{f.note}"
                table.row([str(f.number), finding, f.requirement, w[f.severity], when(f.due_at, zone),
                           f.assignee or "—", photo_refs(f.photos).replace(", ", "\n")])
    else:
        doc.multi_cell(0, 6, w["none"], new_x="LMARGIN", new_y="NEXT")
    doc.ln(8)
    doc.set_font("cjk", size=11)
    doc.cell(0, 8, f"{w['inspector_sign']}：{notice.signed_by or '—'}", new_x="LMARGIN", new_y="NEXT")
    unit = (f"{notice.unit_signed_by}    {w['signed_at']} {when(notice.unit_signed_at, zone, True)}"
            if notice.unit_signed_by else w["unit_sign_blank"])
    doc.cell(0, 8, f"{w['unit_sign']}：{unit}", new_x="LMARGIN", new_y="NEXT")
    _drawn(doc, signature, w["drawn"])
    doc.ln(4)
    doc.set_font("cjk", size=8)
    doc.cell(0, 5, f"{w['generated']} {when(notice.generated_at, zone, True)} · andian 安电 · #{notice.inspection_id}",
             new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())

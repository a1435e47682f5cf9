"""The report as a PDF (A4) with a CJK font embedded as a subset, so Chinese renders on every reader.

The font comes from the system: Noto Sans CJK (Debian fonts-noto-cjk, which `make` installs) or the file named
by ANDIAN_CJK_FONT. fpdf2 subsets it, so a report stays small (tens of kB).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF

from server.errors import Unavailable
from server.reports.charts import PALETTE, bars, lines
from server.reports.schemas import Report
from server.reports.words import WORDS

__all__ = ["FONTS", "find_font", "render_pdf"]

# fontTools logs every subsetting step at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

# (file, index in a collection): Noto Sans CJK's collection holds JP, KR, SC, TC, HK; index 2 is SC.
FONTS = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)


def find_font() -> tuple[str, int]:
    configured = os.environ.get("ANDIAN_CJK_FONT")
    if configured:
        return configured, 0
    for path, index in FONTS:
        if Path(path).exists():
            return path, index
    raise Unavailable("no CJK font for the PDF: install fonts-noto-cjk (Debian) or set ANDIAN_CJK_FONT to a "
                      ".ttf/.ttc file; the HTML report (format=html) needs no font")


def _hex(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


class _Doc(FPDF):
    def __init__(self, font: tuple[str, int]) -> None:
        super().__init__(format="A4")
        path, index = font
        if path.endswith(".ttc"):
            self.add_font("cjk", fname=path, collection_font_number=index)
        else:
            self.add_font("cjk", fname=path)
        self.set_auto_page_break(True, margin=15)
        self.add_page()

    def heading(self, text: str) -> None:
        self.ln(3)
        self.set_font("cjk", size=13)
        self.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(200, 204, 220)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(2)
        self.set_font("cjk", size=10)

    def row(self, cells: list[str], widths: Sequence[float], header: bool = False) -> None:
        self.set_font("cjk", size=9)
        if header:
            self.set_fill_color(238, 241, 247)
        for text, width in zip(cells, widths, strict=True):
            self.cell(width, 6, text[:60], border=1, fill=header)
        self.ln(6)


def render_pdf(report: Report, tz: str) -> bytes:
    w = WORDS[report.lang]
    zone = ZoneInfo(tz)
    doc = _Doc(find_font())
    s = report.site
    doc.set_font("cjk", size=17)
    doc.multi_cell(0, 9, f"{s.name} · {w['title']}", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("cjk", size=10)
    doc.multi_cell(0, 6, f"{w['period']}：{report.period}    {w['address']}：{s.address}\n"
                         f"{w['venue']}：{s.venue_type_name}    {w['region']}：{s.region_name}",
                   new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    grade_colour = {"A": "#1b7f3b", "B": "#0072B2", "C": "#E69F00", "D": "#C62828"}[report.grade]
    doc.set_fill_color(*_hex(grade_colour))
    doc.set_text_color(255, 255, 255)
    doc.set_font("cjk", size=26)
    doc.cell(20, 14, report.grade, align="C", fill=True)
    doc.set_text_color(29, 39, 51)
    doc.set_font("cjk", size=16)
    doc.cell(0, 14, f"  {w['score']} {report.score}", new_x="LMARGIN", new_y="NEXT")

    doc.heading(w["factors"])
    widths = [70, 40, 30, 30]
    doc.row([w["factor"], w["measured"], w["points"], w["cap"]], widths, header=True)
    for f in report.factors:
        doc.row([f.name, f"{f.value:g}", f"-{f.points:g}", f"{f.cap:g}"], widths)

    doc.heading(w["devices"])
    doc.cell(0, 6, f"{report.devices} · {w['online']} {report.online_rate * 100:.2f}%", new_x="LMARGIN", new_y="NEXT")

    doc.heading(w["alarms"])
    widths = [60, 30, 30, 30, 30]
    doc.row([w["by_cause"], w["level.alarm"], w["level.prealarm"], w["level.fault"], w["level.offline"]], widths, True)
    for c in report.alarms_by_cause:
        doc.row([c.name, str(c.alarm), str(c.prealarm), str(c.fault), str(c.offline)], widths)
    doc.ln(2)
    doc.cell(0, 6, w["by_hour"], new_x="LMARGIN", new_y="NEXT")
    x0, y0, width, height = doc.l_margin, doc.get_y(), 170.0, 30.0
    doc.set_fill_color(198, 40, 40)
    for x, y, bw, bh in bars(report.alarms_by_hour, width, height):
        if bh > 0:
            doc.rect(x0 + x, y0 + y, bw, bh, style="F")
    doc.set_font("cjk", size=7)
    for hour in range(0, 24, 3):
        doc.text(x0 + hour * width / 24, y0 + height + 4, str(hour))
    doc.set_y(y0 + height + 6)

    doc.heading(w["trends"])
    if report.trends:
        x0, y0, width, height = doc.l_margin, doc.get_y() + 2, 170.0, 45.0
        top, scaled = lines([list(zip(t.day, t.value, strict=True)) for t in report.trends], report.start,
                            report.end, width, height)
        doc.set_draw_color(200, 204, 220)
        doc.rect(x0, y0, width, height)
        doc.set_font("cjk", size=7)
        doc.text(x0 + 1, y0 + 3, f"{top:g}")
        for i, points in enumerate(scaled):
            doc.set_draw_color(*_hex(PALETTE[i % len(PALETTE)]))
            doc.set_line_width(0.5)
            if len(points) > 1:
                doc.polyline([(x0 + x, y0 + y) for x, y in points])
        doc.set_line_width(0.2)
        doc.set_y(y0 + height + 2)
        doc.set_font("cjk", size=8)
        for i, t in enumerate(report.trends):
            doc.set_text_color(*_hex(PALETTE[i % len(PALETTE)]))
            doc.cell(0, 5, f"■ {t.place} {t.key} ({t.unit})", new_x="LMARGIN", new_y="NEXT")
        doc.set_text_color(29, 39, 51)
    else:
        doc.cell(0, 6, w["none"], new_x="LMARGIN", new_y="NEXT")

    doc.heading(w["hazards"])
    h = report.hazards
    doc.multi_cell(0, 6, f"{w['found']} {h.found} · {w['rectified']} {h.rectified} · {w['open']} {h.open} · "
                         f"{w['overdue']} {h.overdue} · {w['mean_days']} {h.mean_days_to_rectify or '—'}",
                   new_x="LMARGIN", new_y="NEXT")
    widths = [80, 20, 25, 25, 20]
    doc.row([w["hazard"], "", "", w["created"], w["days"]], widths, header=True)
    for item in h.items:
        created = datetime.fromtimestamp(item.created_at, zone).strftime("%Y-%m-%d")
        doc.row([item.title, w["severity." + item.severity], w["state." + item.state], created,
                 "—" if item.days_to_rectify is None else f"{item.days_to_rectify:g}"], widths)

    doc.heading(w["recommendations"])
    for text in report.recommendations:
        doc.multi_cell(0, 6, f"• {text}", new_x="LMARGIN", new_y="NEXT")
    doc.ln(3)
    doc.set_font("cjk", size=8)
    generated = datetime.fromtimestamp(report.generated_at, zone).strftime("%Y-%m-%d %H:%M")
    doc.cell(0, 5, f"{w['generated']} {generated} · andian 安电", new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())

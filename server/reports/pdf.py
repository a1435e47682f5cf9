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

from fpdf import FPDF, FontFace
from fpdf.enums import WrapMode

from server.errors import Unavailable
from server.reports.charts import PALETTE, bars, day_ticks, lines
from server.reports.schemas import Report, Trend
from server.reports.words import WORDS, number, points_text, value_text

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
    def __init__(self, font: tuple[str, int], lang: str) -> None:
        super().__init__(format="A4")
        # Chinese has no spaces: its lines break between characters; English ones between words.
        self.wrap = WrapMode.CHAR if lang == "zh-CN" else WrapMode.WORD
        path, index = font
        if path.endswith(".ttc"):
            self.add_font("cjk", fname=path, collection_font_number=index)
        else:
            self.add_font("cjk", fname=path)
        self.set_auto_page_break(True, margin=15)
        self.add_page()

    def heading(self, text: str, keep: float = 20.0) -> None:
        """A section heading, on a new page when fewer than ``keep`` mm would follow it on this one."""
        if self.get_y() + 16 + keep > self.h - self.b_margin:
            self.add_page()
        self.ln(3)
        self.set_font("cjk", size=13)
        self.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(200, 204, 220)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(2)
        self.set_font("cjk", size=10)

    def grid(self, header: list[str], rows: list[list[str]], widths: Sequence[float]) -> None:
        """A table whose cells wrap and whose rows grow to fit, so that no text runs over its neighbour; headings
        repeat on a new page."""
        self.set_font("cjk", size=9)
        self.set_draw_color(200, 204, 220)
        self.set_fill_color(255, 255, 255)  # cells are not filled; headings have their own fill
        heading = FontFace(emphasis="", fill_color=(238, 241, 247))
        with self.table(col_widths=tuple(widths), width=sum(widths), align="LEFT", text_align="LEFT",
                        line_height=5, padding=(1, 1.5), wrapmode=self.wrap, headings_style=heading) as table:
            for cells in [header, *rows]:
                row = table.row()
                for text in cells:
                    row.cell(text)
        self.ln(1)


def _trend_chart(doc: _Doc, trends: list[tuple[int, Trend]], t0: float, t1: float, zone: ZoneInfo) -> None:
    """One chart of the channels that share a unit: value grid and labels, a date per tick, each channel's daily
    maxima as a line with a mark on every day (so that a single day shows), and a legend in words."""
    pad_left, width, height = 12.0, 158.0, 38.0
    x0, y0 = doc.l_margin + pad_left, doc.get_y() + 3
    if y0 + height + 8 + 5 * len(trends) > doc.h - doc.b_margin:
        doc.add_page()
        x0, y0 = doc.l_margin + pad_left, doc.get_y() + 3
    top, scaled = lines([list(zip(t.day, t.value, strict=True)) for _, t in trends], t0, t1, width, height)
    doc.set_line_width(0.2)
    doc.set_font("cjk", size=7)
    doc.set_text_color(90, 99, 110)
    for share in (0.0, 0.5, 1.0):
        y = y0 + height - height * share
        doc.set_draw_color(225, 228, 236)
        doc.line(x0, y, x0 + width, y)
        label = f"{number(top * share)}"
        doc.text(x0 - 1.5 - doc.get_string_width(label), y + 1, label)
    doc.set_draw_color(160, 166, 180)
    doc.line(x0, y0 + height, x0 + width, y0 + height)
    unit = trends[0][1].unit
    doc.text(doc.l_margin, y0 - 1, unit)
    span = max(1.0, t1 - t0)
    for tick in day_ticks(t0, t1, zone):
        x = x0 + width * (tick - t0) / span
        doc.line(x, y0 + height, x, y0 + height + 1)
        label = datetime.fromtimestamp(tick, zone).strftime("%m-%d")
        doc.text(x - doc.get_string_width(label) / 2, y0 + height + 5.5, label)
    for (i, _), points in zip(trends, scaled, strict=True):
        doc.set_draw_color(*_hex(PALETTE[i % len(PALETTE)]))
        doc.set_fill_color(*_hex(PALETTE[i % len(PALETTE)]))
        doc.set_line_width(0.5)
        if len(points) > 1:
            doc.polyline([(x0 + x, y0 + y) for x, y in points])
        for x, y in points:
            doc.rect(x0 + x - 0.6, y0 + y - 0.6, 1.2, 1.2, style="F")
    doc.set_line_width(0.2)
    doc.set_y(y0 + height + 7.5)
    doc.set_font("cjk", size=8)
    for i, trend in trends:
        doc.set_text_color(*_hex(PALETTE[i % len(PALETTE)]))
        label = f"{trend.place} · {trend.name}" if trend.place else trend.name
        doc.cell(0, 5, f"■ {label} ({trend.unit})", new_x="LMARGIN", new_y="NEXT")
    doc.set_text_color(29, 39, 51)


def render_pdf(report: Report, tz: str) -> bytes:
    w = WORDS[report.lang]
    zone = ZoneInfo(tz)
    doc = _Doc(find_font(), report.lang)
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
    if report.grade_note:
        doc.set_font("cjk", size=10)
        doc.set_text_color(198, 40, 40)
        doc.multi_cell(0, 6, report.grade_note, new_x="LMARGIN", new_y="NEXT")
        doc.set_text_color(29, 39, 51)

    doc.heading(w["factors"])
    doc.grid([w["factor"], w["measured"], w["points"], w["cap"]],
             [[f.name, value_text(f.key, f.value, report.lang), points_text(f.points), number(f.cap)]
              for f in report.factors], [70, 40, 30, 30])

    doc.heading(w["devices"])
    doc.cell(0, 6, f"{report.devices} · {w['online']} {report.online_rate * 100:.2f}%", new_x="LMARGIN", new_y="NEXT")

    doc.heading(w["alarms"])
    if report.alarms_by_cause:
        doc.grid([w["by_cause"], w["level.alarm"], w["level.prealarm"], w["level.fault"], w["level.offline"]],
                 [[c.name, str(c.alarm), str(c.prealarm), str(c.fault), str(c.offline)]
                  for c in report.alarms_by_cause],
                 [60, 27, 27, 27, 27])
    else:
        doc.cell(0, 6, w["none"], new_x="LMARGIN", new_y="NEXT")
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

    doc.heading(w["trends"], keep=56.0)  # the first chart with its legend line
    by_unit: dict[str, list[tuple[int, Trend]]] = {}
    for i, trend in enumerate(report.trends):
        by_unit.setdefault(trend.unit, []).append((i, trend))
    for group in by_unit.values():
        _trend_chart(doc, group, report.start, report.end, zone)
    if not report.trends:
        doc.cell(0, 6, w["none"], new_x="LMARGIN", new_y="NEXT")

    doc.heading(w["hazards"])
    h = report.hazards
    mean = value_text("rectification", h.mean_days_to_rectify, report.lang)
    doc.multi_cell(0, 6, f"{w['found']} {h.found} · {w['rectified']} {h.rectified} · {w['open']} {h.open} · "
                         f"{w['overdue']} {h.overdue} · {w['mean_days']} {mean}",
                   new_x="LMARGIN", new_y="NEXT")
    if h.items:
        doc.grid([w["hazard"], w["severity"], w["state"], w["created"], w["days"]],
                 [[item.title, w["severity." + item.severity], w["state." + item.state],
                   datetime.fromtimestamp(item.created_at, zone).strftime("%Y-%m-%d"),
                   value_text("rectification", item.days_to_rectify, report.lang)] for item in h.items],
                 [84, 18, 22, 24, 22])

    doc.heading(w["recommendations"])
    for text in report.recommendations:
        doc.multi_cell(0, 6, f"• {text}", new_x="LMARGIN", new_y="NEXT")
    doc.ln(3)
    doc.set_font("cjk", size=8)
    generated = datetime.fromtimestamp(report.generated_at, zone).strftime("%Y-%m-%d %H:%M")
    doc.cell(0, 5, f"{w['generated']} {generated} · andian 安电", new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())

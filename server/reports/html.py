"""The report as one self-contained HTML page (inline SVG charts, no scripts), for the browser and printing."""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from server.reports.charts import PALETTE, bars, day_ticks, lines
from server.reports.schemas import Report, Trend
from server.reports.words import WORDS, number, points_text, value_text

__all__ = ["render_html"]

_STYLE = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:820px;margin:auto;
padding:16px;color:#1d2733} h1{font-size:22px}
h2{font-size:17px;border-bottom:1px solid #ccd;padding-bottom:4px;margin-top:28px}
table{border-collapse:collapse;width:100%} td,th{border:1px solid #dde;padding:4px 6px;text-align:left;font-size:14px}
.grade{display:inline-block;font-size:40px;font-weight:bold;color:#fff;background:GRADE;border-radius:8px;
padding:4px 18px;margin-right:12px} .score{font-size:28px} .chart{width:100%;max-width:560px}
.legend span{margin-right:12px;font-size:13px} .note{color:#C62828}
"""
_GRADE_COLOURS = {"A": "#1b7f3b", "B": "#0072B2", "C": "#E69F00", "D": "#C62828"}


def _date(ts: float | None, zone: ZoneInfo) -> str:
    return "—" if ts is None else datetime.fromtimestamp(ts, zone).strftime("%Y-%m-%d")


def _hours_svg(report: Report) -> str:
    width, height = 480.0, 120.0
    rects = "".join(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="#C62828"/>'
                    for x, y, w, h in bars(report.alarms_by_hour, width, height))
    ticks = "".join(f'<text x="{i * width / 24 + 2:.1f}" y="{height + 14:.0f}" font-size="10">{i}</text>'
                    for i in range(0, 24, 3))
    return f'<svg viewBox="0 -4 {width:.0f} {height + 20:.0f}" role="img" class="chart">{rects}{ticks}</svg>'


def _trend_svg(report: Report, trends: list[tuple[int, Trend]], zone: ZoneInfo) -> str:
    """The channels of one unit: daily maxima over the period, dates across (ascending), a mark on every day."""
    width, height, left = 480.0, 140.0, 36.0
    top, scaled = lines([list(zip(t.day, t.value, strict=True)) for _, t in trends], report.start, report.end,
                        width, height)
    span = max(1.0, report.end - report.start)
    grid = "".join(f'<line x1="0" x2="{width:.0f}" y1="{height * (1 - f):.1f}" y2="{height * (1 - f):.1f}" '
                   f'stroke="#e1e4ec"/><text x="-4" y="{height * (1 - f) + 4:.1f}" font-size="10" '
                   f'text-anchor="end">{number(top * f)}</text>' for f in (0.0, 0.5, 1.0))
    ticks = "".join(f'<text x="{width * (d - report.start) / span:.1f}" y="{height + 14:.0f}" font-size="10" '
                    f'text-anchor="middle">{datetime.fromtimestamp(d, zone):%m-%d}</text>'
                    for d in day_ticks(report.start, report.end, zone))
    paths = ""
    for (i, _), points in zip(trends, scaled, strict=True):
        colour = PALETTE[i % len(PALETTE)]
        paths += (f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                  f'points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in points)}"/>')
        paths += "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>' for x, y in points)
    legend = "".join(f'<span style="color:{PALETTE[i % len(PALETTE)]}">■ '
                     f'{escape(f"{t.place} · {t.name}" if t.place else t.name)} ({escape(t.unit)})</span> '
                     for i, t in trends)
    return (f'<svg viewBox="{-left:.0f} -6 {width + left + 8:.0f} {height + 24:.0f}" role="img" class="chart">'
            f'{grid}{ticks}{paths}</svg><p class="legend">{legend}</p>')


def render_html(report: Report, tz: str) -> str:
    w = WORDS[report.lang]
    zone = ZoneInfo(tz)
    colour = _GRADE_COLOURS[report.grade]
    factors = "".join(f"<tr><td>{escape(f.name)}</td><td>{value_text(f.key, f.value, report.lang)}</td>"
                      f"<td>{points_text(f.points)}</td><td>{number(f.cap)}</td></tr>" for f in report.factors)
    causes = "".join(f"<tr><td>{escape(c.name)}</td><td>{c.alarm}</td><td>{c.prealarm}</td><td>{c.fault}</td>"
                     f"<td>{c.offline}</td></tr>" for c in report.alarms_by_cause) or \
        f'<tr><td colspan="5">{w["none"]}</td></tr>'
    hazards = "".join(
        f"<tr><td>{escape(h.title)}</td><td>{w['severity.' + h.severity]}</td><td>{w['state.' + h.state]}</td>"
        f"<td>{_date(h.created_at, zone)}</td><td>{value_text('rectification', h.days_to_rectify, report.lang)}</td>"
        "</tr>"
        for h in report.hazards.items) or f'<tr><td colspan="5">{w["none"]}</td></tr>'
    advice = "".join(f"<li>{escape(r)}</li>" for r in report.recommendations)
    s = report.site
    by_unit: dict[str, list[tuple[int, Trend]]] = {}
    for i, trend in enumerate(report.trends):
        by_unit.setdefault(trend.unit, []).append((i, trend))
    trends = "".join(_trend_svg(report, group, zone) for group in by_unit.values()) or f"<p>{w['none']}</p>"
    mean = value_text("rectification", report.hazards.mean_days_to_rectify, report.lang)
    note = f'<p class="note">{escape(report.grade_note)}</p>' if report.grade_note else ""
    return f"""<!doctype html>
<html lang="{report.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{escape(s.name)} · {w['title']} {report.period}</title>
<style>{_STYLE.replace("GRADE", colour)}</style></head><body>
<h1>{escape(s.name)} · {w['title']}</h1>
<p>{w['period']}：{report.period} · {w['address']}：{escape(s.address)} · {w['venue']}：{escape(s.venue_type_name)}
 · {w['region']}：{escape(s.region_name)}</p>
<p data-testid="report-grade"><span class="grade">{report.grade}</span>
<span class="score">{w['score']} {report.score}</span></p>{note}
<h2>{w['factors']}</h2>
<table><tr><th>{w['factor']}</th><th>{w['measured']}</th><th>{w['points']}</th><th>{w['cap']}</th></tr>{factors}</table>
<h2>{w['devices']}</h2><p>{report.devices} · {w['online']} {report.online_rate * 100:.2f}%</p>
<h2>{w['alarms']}</h2>
<table><tr><th>{w['by_cause']}</th><th>{w['level.alarm']}</th><th>{w['level.prealarm']}</th><th>{w['level.fault']}</th>
<th>{w['level.offline']}</th></tr>{causes}</table>
<h3>{w['by_hour']}</h3>{_hours_svg(report)}
<h2>{w['trends']}</h2>{trends}
<h2>{w['hazards']}</h2>
<p>{w['found']} {report.hazards.found} · {w['rectified']} {report.hazards.rectified} · {w['open']} {report.hazards.open}
 · {w['overdue']} {report.hazards.overdue} · {w['mean_days']} {mean}</p>
<table><tr><th>{w['hazard']}</th><th>{w['severity']}</th><th>{w['state']}</th><th>{w['created']}</th><th>{w['days']}</th>
</tr>{hazards}</table>
<h2>{w['recommendations']}</h2><ul>{advice}</ul>
<p><small>{w['generated']} {datetime.fromtimestamp(report.generated_at, zone).strftime('%Y-%m-%d %H:%M')}</small></p>
</body></html>"""

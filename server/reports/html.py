"""The report as one self-contained HTML page (inline SVG charts, no scripts), for the browser and printing."""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from server.reports.charts import PALETTE, bars, lines
from server.reports.schemas import Report
from server.reports.words import WORDS

__all__ = ["render_html"]

_STYLE = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:820px;margin:auto;
padding:16px;color:#1d2733} h1{font-size:22px}
h2{font-size:17px;border-bottom:1px solid #ccd;padding-bottom:4px;margin-top:28px}
table{border-collapse:collapse;width:100%} td,th{border:1px solid #dde;padding:4px 6px;text-align:left;font-size:14px}
.grade{display:inline-block;font-size:40px;font-weight:bold;color:#fff;background:GRADE;border-radius:8px;
padding:4px 18px;margin-right:12px} .score{font-size:28px} .chart{width:100%;max-width:560px}
.legend span{margin-right:12px;font-size:13px}
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


def _trend_svg(report: Report) -> str:
    width, height = 480.0, 160.0
    top, scaled = lines([list(zip(t.day, t.value, strict=True)) for t in report.trends], report.start, report.end,
                        width, height)
    paths = "".join(
        f'<polyline fill="none" stroke="{PALETTE[i % len(PALETTE)]}" stroke-width="2" '
        f'points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in points)}"/>' for i, points in enumerate(scaled))
    legend = "".join(f'<span style="color:{PALETTE[i % len(PALETTE)]}">■ {escape(t.place)} {escape(t.key)} '
                     f'({escape(t.unit)})</span> ' for i, t in enumerate(report.trends))
    return (f'<svg viewBox="0 0 {width:.0f} {height:.0f}" role="img" class="chart">'
            f'<text x="2" y="12" font-size="10">{top:g}</text>{paths}</svg><p class="legend">{legend}</p>')


def render_html(report: Report, tz: str) -> str:
    w = WORDS[report.lang]
    zone = ZoneInfo(tz)
    colour = _GRADE_COLOURS[report.grade]
    factors = "".join(f"<tr><td>{escape(f.name)}</td><td>{f.value:g}</td><td>−{f.points:g}</td><td>{f.cap:g}</td></tr>"
                      for f in report.factors)
    causes = "".join(f"<tr><td>{escape(c.name)}</td><td>{c.alarm}</td><td>{c.prealarm}</td><td>{c.fault}</td>"
                     f"<td>{c.offline}</td></tr>" for c in report.alarms_by_cause) or \
        f'<tr><td colspan="5">{w["none"]}</td></tr>'
    hazards = "".join(
        f"<tr><td>{escape(h.title)}</td><td>{w['severity.' + h.severity]}</td><td>{w['state.' + h.state]}</td>"
        f"<td>{_date(h.created_at, zone)}</td><td>{'—' if h.days_to_rectify is None else h.days_to_rectify}</td></tr>"
        for h in report.hazards.items) or f'<tr><td colspan="5">{w["none"]}</td></tr>'
    advice = "".join(f"<li>{escape(r)}</li>" for r in report.recommendations)
    s = report.site
    trends = _trend_svg(report) if report.trends else f"<p>{w['none']}</p>"
    return f"""<!doctype html>
<html lang="{report.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{escape(s.name)} · {w['title']} {report.period}</title>
<style>{_STYLE.replace("GRADE", colour)}</style></head><body>
<h1>{escape(s.name)} · {w['title']}</h1>
<p>{w['period']}：{report.period} · {w['address']}：{escape(s.address)} · {w['venue']}：{escape(s.venue_type_name)}
 · {w['region']}：{escape(s.region_name)}</p>
<p data-testid="report-grade"><span class="grade">{report.grade}</span>
<span class="score">{w['score']} {report.score}</span></p>
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
 · {w['overdue']} {report.hazards.overdue} · {w['mean_days']} {report.hazards.mean_days_to_rectify or '—'}</p>
<table><tr><th>{w['hazard']}</th><th></th><th></th><th>{w['created']}</th><th>{w['mean_days']}</th></tr>{hazards}</table>
<h2>{w['recommendations']}</h2><ul>{advice}</ul>
<p><small>{w['generated']} {datetime.fromtimestamp(report.generated_at, zone).strftime('%Y-%m-%d %H:%M')}</small></p>
</body></html>"""

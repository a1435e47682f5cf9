"""The rectification notice as one self-contained HTML page (no scripts), for the browser and printing."""

from __future__ import annotations

import base64
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from server.inspections.notice import WORDS
from server.inspections.schemas import Notice

__all__ = ["photo_refs", "render_html", "when"]

_STYLE = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:820px;margin:auto;
padding:16px;color:#1d2733} h1{font-size:24px;text-align:center;letter-spacing:4px}
table{border-collapse:collapse;width:100%} td,th{border:1px solid #bbc;padding:5px 6px;text-align:left;font-size:14px;
vertical-align:top} .meta td{border:none;padding:2px 6px} .major{color:#C62828;font-weight:bold}
.sign{display:flex;gap:24px;margin-top:28px} .sign div{flex:1;border-top:1px solid #889;padding-top:6px}
small{color:#556} .drawn{display:block;max-width:260px;max-height:90px;margin-top:6px}
"""


def when(ts: float | None, zone: ZoneInfo, minutes: bool = False) -> str:
    if ts is None:
        return "—"
    return datetime.fromtimestamp(ts, zone).strftime("%Y-%m-%d %H:%M" if minutes else "%Y-%m-%d")


def photo_refs(photos: list[str]) -> str:
    """Photos by the first 8 hex digits of their sha256 (GET /api/v1/attachments/{sha256} has them whole)."""
    return ", ".join(p[:8] for p in photos) or "—"


def _drawn(signature: tuple[bytes, str] | None, alt: str) -> str:
    """The unit's drawn signature inside the page (a data: URL: the page stands alone, with no token to fetch it)."""
    if signature is None:
        return ""
    data, kind = signature
    return (f'<img class="drawn" data-testid="notice-unit-drawing" alt="{escape(alt)}" '
            f'src="data:{kind};base64,{base64.b64encode(data).decode()}">')


def render_html(notice: Notice, tz: str, signature: tuple[bytes, str] | None = None) -> str:
    """``signature``: the unit's drawn signature (bytes, type) when it signed with one (notice.signature_image)."""
    w = WORDS[notice.lang]
    zone = ZoneInfo(tz)
    s = notice.site
    rows = "".join(
        f'<tr data-hazard-id="{f.hazard_id or ""}"><td>{f.number}</td><td>{escape(f.title)}'
        f'{"<br><small>" + escape(f.note) + "</small>" if f.note and f.note.strip() != f.title else ""}</td>'
        f"<td><small>{escape(f.requirement)}</small></td>"
        f'<td class="{f.severity}">{w[f.severity]}</td><td>{when(f.due_at, zone)}</td>'
        f"<td>{escape(f.assignee or '—')}</td><td><small>{photo_refs(f.photos)}</small></td></tr>"
        for f in notice.findings)
    table = (f"<table><tr><th>{w['number']}</th><th>{w['finding']}</th><th>{w['item']}</th><th>{w['severity']}</th>"
             f"<th>{w['due']}</th><th>{w['assignee']}</th><th>{w['photos']}</th></tr>{rows}</table>"
             if notice.findings else f"<p>{w['none']}</p>")
    unit = (f"{escape(notice.unit_signed_by)}　{w['signed_at']} {when(notice.unit_signed_at, zone, True)}"
            if notice.unit_signed_by else w["unit_sign_blank"])
    return f"""<!doctype html>
<html lang="{notice.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{escape(s.name)} · {w['title']}</title><style>{_STYLE}</style></head><body>
<h1>{w['title']}</h1>
<table class="meta">
<tr><td>{w['unit']}：<strong>{escape(s.name)}</strong></td><td>{w['venue']}：{escape(s.venue_type_name)}</td></tr>
<tr><td>{w['address']}：{escape(s.address)}</td><td>{w['region']}：{escape(s.region_name)}</td></tr>
<tr><td>{w['checklist']}：{escape(notice.checklist)}</td>
<td>{w['inspected']}：{when(notice.completed_at or notice.started_at, zone, True)}</td></tr>
<tr><td>{w['inspector']}：{escape(notice.inspector)}</td>
<td>{w['items_total']} {notice.total} · {w['failed']} {len(notice.findings)}</td></tr>
</table>
<p>{w['intro'] if notice.findings else ''}</p>
{table}
<div class="sign"><div>{w['inspector_sign']}：{escape(notice.signed_by or '—')}</div>
<div data-testid="notice-unit-sign">{w['unit_sign']}：{unit}{_drawn(signature, w['drawn'])}</div></div>
<p><small>{w['generated']} {when(notice.generated_at, zone, True)} · andian 安电 · #{notice.inspection_id}</small></p>
</body></html>"""

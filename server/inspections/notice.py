"""The rectification notice (整改通知书) of a signed inspection: each finding with its number on the checklist,
what was found, the photos' references, the due date and who fixes it; the inspector, the unit, and the unit's
acknowledgement. Built here; drawn as HTML (notice_html.py) and PDF (notice_pdf.py)."""

from __future__ import annotations

import asyncio
from typing import Any

from server.accounts.principal import Principal
from server.attachments import service as attachments
from server.context import Context
from server.errors import Conflict, NotFound
from server.inspections import findings
from server.inspections.schemas import Notice, NoticeFinding, NoticeSite
from server.inspections.service import template_title
from server.storage import Connection
from server.storage import attachments as attachment_sql
from server.storage import inspections as sql
from server.storage import sites as site_sql
from server.storage.scopes import EVERY_SITE, site_scope

__all__ = ["WORDS", "build", "signature_image"]

# The notice's words per language (the HTML page and the PDF share them).
WORDS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "title": "整改通知书", "unit": "被检查单位", "address": "地址", "region": "所属区域", "venue": "场所类型",
        "checklist": "检查表", "inspector": "检查人", "inspected": "检查时间", "intro":
        "经检查，你单位存在下列电气火灾隐患，请在整改期限内完成整改，并在安电中拍照上传整改结果，逾期未整改的将依法处理。",
        "number": "序号", "item": "检查项", "finding": "发现的问题", "severity": "等级", "due": "整改期限",
        "photos": "照片", "major": "重大隐患", "general": "一般隐患", "none": "本次检查未发现隐患。",
        "hazard": "隐患", "assignee": "整改责任人", "inspector_sign": "检查人签名", "unit_sign": "被检查单位签收",
        "unit_sign_blank": "签收人：＿＿＿＿＿＿＿＿　　日期：＿＿＿＿年＿＿月＿＿日", "signed_at": "签收时间",
        "drawn": "签收人手写签名",
        "generated": "生成于", "items_total": "检查项", "failed": "不合格",
    },
    "en": {
        "title": "Rectification notice", "unit": "Unit inspected", "address": "Address", "region": "Region",
        "venue": "Venue type", "checklist": "Checklist", "inspector": "Inspector", "inspected": "Inspected",
        "intro": "The inspection found the electrical fire hazards below. Fix each by its due date and upload photos "
                 "of the work in andian; hazards not fixed in time are dealt with according to law.",
        "number": "No.", "item": "Checklist item", "finding": "Finding", "severity": "Severity", "due": "Fix by",
        "photos": "Photos", "major": "major", "general": "general", "none": "This inspection found no hazard.",
        "hazard": "Hazard", "assignee": "Assignee", "inspector_sign": "Inspector's signature",
        "unit_sign": "Received for the unit", "unit_sign_blank": "Name: ____________    Date: ____-__-__",
        "signed_at": "Signed", "drawn": "Signature drawn by the unit's representative",
        "generated": "Generated", "items_total": "Items", "failed": "failed",
    },
}


def _title(item: dict[str, Any], note: str, hazard: dict[str, Any] | None, lang: str) -> str:
    """The hazard's title as it stands (someone may have edited it); in English the finding's English words while
    the title is still the one the inspection gave it (hazards are recorded in Chinese)."""
    if hazard is None or hazard["title"] == findings.hazard_title(item, note):
        return findings.hazard_title(item, note, lang)
    return str(hazard["title"])


def _findings(row: dict[str, Any], answers: list[dict[str, Any]], hazards: list[dict[str, Any]],
              lang: str) -> list[NoticeFinding]:
    numbers = findings.numbers(row["items"])
    by_key = {a["key"]: a for a in answers}
    made = {h["inspection_item"]: h for h in hazards if h["inspection_item"]}
    out = []
    for item in sorted(row["items"], key=lambda i: numbers[i["key"]]):
        answer = by_key.get(item["key"])
        hazard = made.get(item["key"])
        if hazard is None and (answer is None or answer["answer"] != "fail"):
            continue
        note = answer["note"] if answer else ""
        out.append(NoticeFinding(
            number=numbers[item["key"]], key=item["key"], requirement=item["text"].get(lang) or item["text"]["zh-CN"],
            title=_title(item, note, hazard, lang), note=note,
            severity="major" if item["major"] else "general", hazard_id=hazard["id"] if hazard else None,
            due_at=hazard["due_at"] if hazard else None, state=hazard["state"] if hazard else None,
            assignee=hazard["assignee"] if hazard else None, photos=answer["attachments"] if answer else []))
    return out


async def build(ctx: Context, principal: Principal, inspection_id: int, lang: str) -> Notice:
    """The notice of a signed inspection the caller may see (404 otherwise; 409 while it is not signed)."""
    scope = site_scope(principal, ctx.reference)

    def read(conn: Connection) -> tuple[Any, ...]:
        row = sql.get_inspection(conn, inspection_id, scope)
        if row is None:
            return None, None, [], []
        return (row, site_sql.get_site(conn, row["site_id"], EVERY_SITE), sql.answers(conn, inspection_id),
                sql.findings_of(conn, inspection_id))

    row, site, answers, hazards = await ctx.db.read(read)
    if row is None or site is None:
        raise NotFound("inspection", inspection_id)
    if row["state"] != "completed":
        raise Conflict("the inspection is not signed yet: its rectification notice is made when it is signed")
    venue = ctx.reference.venue_type(site["venue_type"])
    return Notice(
        inspection_id=inspection_id, lang=lang,
        site=NoticeSite(id=site["id"], name=site["name"], address=site["address"],
                        region_name=ctx.reference.region_name(site["region_code"]),
                        venue_type_name=(venue.name_zh if lang == "zh-CN" else venue.name_en) if venue else ""),
        checklist=template_title(row["template_id"])[lang], inspector=row["inspector"], signed_by=row["signed_by"],
        started_at=row["started_at"], completed_at=row["completed_at"], unit_signed_by=row["unit_signed_by"],
        unit_signed_at=row["unit_signed_at"], unit_signature=row["unit_signature"], total=len(row["items"]),
        findings=_findings(row, answers, hazards, lang), generated_at=ctx.clock())


async def signature_image(ctx: Context, built: Notice) -> tuple[bytes, str] | None:
    """The unit's drawn signature as bytes and their type, for the HTML page and the PDF to embed (whoever may read
    the notice may read its signature: storage.attachments.readable); None without one, or when its file is gone."""
    if built.unit_signature is None:
        return None
    path = attachment_sql.path_of(attachments.root(ctx), built.unit_signature)
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except FileNotFoundError:
        return None
    kind = attachments.sniff(data)
    return (data, kind) if kind in attachments.IMAGE_TYPES else None

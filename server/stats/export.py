"""Any statistics table as a file: Excel (.xlsx, written by openpyxl) or CSV (UTF-8 with a byte-order mark, so
Excel opens Chinese text correctly), with headers in the caller's language and a file name that says what it is."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

__all__ = ["MEDIA_TYPES", "RENDER", "TABLES", "Column", "ExportFormat", "Table", "content_disposition", "file_name",
           "to_csv", "to_xlsx"]

ExportFormat = Literal["xlsx", "csv"]
Lang = Literal["zh-CN", "en"]

MEDIA_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "csv": "text/csv; charset=utf-8"}
_CATEGORY = {"zh-CN": {"high_risk": "高风险单位", "crowded": "人员密集场所", "all": "全部单位"},
             "en": {"high_risk": "high-risk units", "crowded": "crowded places", "all": "all units"}}
_YES_NO = {"zh-CN": ("是", "否"), "en": ("yes", "no")}


@dataclass(frozen=True)
class Column:
    key: str  # the wire field
    zh: str
    en: str
    kind: Literal["text", "int", "rate", "bool", "list", "category", "time"] = "text"


@dataclass(frozen=True)
class Table:
    title_zh: str
    title_en: str
    columns: tuple[Column, ...]


TABLES: dict[str, Table] = {
    "coverage": Table("接入与合规", "coverage", (
        Column("district_name", "区县", "District"), Column("sector_name", "行业主管部门", "Sector"),
        Column("category", "类别", "Category", "category"), Column("sites", "单位数", "Units", "int"),
        Column("covered", "已接入", "Covered", "int"), Column("coverage", "接入率", "Coverage", "rate"),
        Column("target", "目标", "Target", "rate"), Column("target_met", "达标", "Target met", "bool"),
        Column("compliant", "按要求配备", "Compliant", "int"), Column("compliance", "配备率", "Compliance", "rate"))),
    "units": Table("单位清单", "units", (
        Column("name", "单位名称", "Unit"), Column("district_name", "区县", "District"),
        Column("address", "地址", "Address"), Column("venue_type_name", "场所类型", "Venue type"),
        Column("sector_name", "行业主管部门", "Sector"), Column("covered", "已接入", "Covered", "bool"),
        Column("compliant", "按要求配备", "Compliant", "bool"), Column("missing_names", "缺少", "Lacks", "list"),
        Column("open_hazards", "未关闭隐患", "Open hazards", "int"),
        Column("overdue_hazards", "逾期隐患", "Overdue hazards", "int"),
        Column("score", "体检得分", "Score", "int"), Column("grade", "等级", "Grade"))),
    "districts": Table("区县排名", "districts", (
        Column("rank", "排名", "Rank", "int"), Column("district_name", "区县", "District"),
        Column("sites", "单位数", "Units", "int"), Column("covered", "已接入", "Covered", "int"),
        Column("coverage", "接入率", "Coverage", "rate"), Column("compliant", "按要求配备", "Compliant", "int"),
        Column("compliance", "配备率", "Compliance", "rate"),
        Column("open_hazards", "未关闭隐患", "Open hazards", "int"),
        Column("overdue_hazards", "逾期隐患", "Overdue hazards", "int"),
        Column("alarms_30d", "近30天报警", "Alarms (30 days)", "int"))),
    "trend": Table("月度趋势", "trend", (
        Column("month", "月份", "Month"), Column("alarms", "报警", "Alarms", "int"),
        Column("prealarms", "预警", "Pre-alarms", "int"), Column("hazards_found", "发现隐患", "Hazards found", "int"),
        Column("hazards_closed", "关闭隐患", "Hazards closed", "int"), Column("sites", "单位数", "Units", "int"),
        Column("covered", "已接入", "Covered", "int"), Column("coverage", "接入率", "Coverage", "rate"))),
    "hazards": Table("隐患统计", "hazards", (
        Column("sector_name", "行业主管部门", "Sector"), Column("open", "未关闭隐患", "Open", "int"),
        Column("overdue", "逾期", "Overdue", "int"), Column("major_open", "重大隐患", "Major", "int"))),
    "offline": Table("离线单位", "offline", (
        Column("name", "单位名称", "Unit"), Column("district_name", "区县", "District"),
        Column("devices", "离线设备", "Devices offline", "int"), Column("since", "离线起始", "Offline since", "time"))),
}


def _cell(column: Column, value: Any, lang: Lang, zone: ZoneInfo, for_excel: bool) -> Any:
    """A field as a spreadsheet cell: numbers stay numbers in Excel; CSV gets readable text for rates."""
    if value is None:
        return ""
    if column.kind == "bool":
        return _YES_NO[lang][0 if value else 1]
    if column.kind == "list":
        return "、".join(value) if lang == "zh-CN" else ", ".join(value)
    if column.kind == "category":
        return _CATEGORY[lang].get(value, value)
    if column.kind == "time":
        return datetime.fromtimestamp(value, zone).strftime("%Y-%m-%d %H:%M")
    if column.kind == "rate" and not for_excel:
        return f"{value * 100:.1f}%"
    return value


def _header(table: Table, lang: Lang) -> list[str]:
    return [c.zh if lang == "zh-CN" else c.en for c in table.columns]


def to_xlsx(table: Table, rows: Sequence[dict[str, Any]], lang: Lang, tz: str) -> bytes:
    """One sheet: a bold, frozen header with a filter, rates as Excel percentages, columns wide enough."""
    zone = ZoneInfo(tz)
    book = Workbook()
    book.remove(book.worksheets[0])
    sheet = book.create_sheet(table.title_zh if lang == "zh-CN" else table.title_en)
    sheet.append(_header(table, lang))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(c, row.get(c.key), lang, zone, True) for c in table.columns])
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        if column.kind == "rate":
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "0.0%"
        texts = [str(c.value or "") for (c,) in sheet.iter_rows(min_col=index, max_col=index)]
        # CJK characters take about two widths of a Latin one
        width = max(len(t) + sum(1 for ch in t if ord(ch) > 0x2E80) for t in texts)
        sheet.column_dimensions[letter].width = min(60, max(8, width + 2))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_csv(table: Table, rows: Sequence[dict[str, Any]], lang: Lang, tz: str) -> bytes:
    """UTF-8 with a byte-order mark (Excel reads a BOM-less file as the system's code page), CRLF line ends."""
    zone = ZoneInfo(tz)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(_header(table, lang))
    for row in rows:
        writer.writerow([_cell(c, row.get(c.key), lang, zone, False) for c in table.columns])
    return text.getvalue().encode("utf-8-sig")


def file_name(name: str, table: Table, lang: Lang, now: float, tz: str, extension: str) -> tuple[str, str]:
    """(the name in the caller's language, an ASCII name for old clients), e.g. ("安电_单位清单_2025-11-23.xlsx",
    "andian-units-2025-11-23.xlsx")."""
    day = datetime.fromtimestamp(now, ZoneInfo(tz)).strftime("%Y-%m-%d")
    ascii_name = f"andian-{name}-{day}.{extension}"
    return (f"安电_{table.title_zh}_{day}.{extension}" if lang == "zh-CN" else ascii_name), ascii_name


def content_disposition(name: str, ascii_name: str) -> str:
    """RFC 6266: an ASCII ``filename`` for old clients and the real name in ``filename*`` (RFC 5987, UTF-8)."""
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


Render = Callable[[Table, Sequence[dict[str, Any]], Lang, str], bytes]
RENDER: dict[str, Render] = {"xlsx": to_xlsx, "csv": to_csv}

"""A site's health-check report."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Response, get
from litestar.params import QueryParameter

from server.accounts.guards import Caller, Ctx, PathId
from server.reports import service as reports
from server.reports.html import render_html
from server.reports.pdf import render_pdf

__all__ = ["ReportController"]


class ReportController(Controller):
    path = "/api/v1/sites/{site_id:int}/report"
    tags = ["reports"]
    security = [{"BearerToken": []}]

    @get("/", summary="The monthly health-check report (体检报告): score 0–100 and grade A–D with every factor, "
                      "alarms, trends, hazards, recommendations; as JSON, HTML or PDF")
    async def report(
        self, ctx: Ctx, principal: Caller, site_id: PathId,
        period: Annotated[str | None, QueryParameter(max_length=7, description="YYYY-MM; default this month")] = None,
        format: Annotated[Literal["json", "html", "pdf"], QueryParameter()] = "json",
        lang: Annotated[Literal["zh-CN", "en"], QueryParameter()] = "zh-CN",
    ) -> Response[Any]:
        report = await reports.build(ctx, principal, site_id, period, lang)
        tz = ctx.settings.timezone
        if format == "html":
            return Response(render_html(report, tz), media_type="text/html", headers={
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                                           "frame-ancestors 'none'"})
        if format == "pdf":
            data = await asyncio.to_thread(render_pdf, report, tz)
            name = f"andian-report-{site_id}-{report.period}.pdf"
            return Response(data, media_type="application/pdf",
                            headers={"Content-Disposition": f'inline; filename="{name}"'})
        return Response(msgspec.to_builtins(report), media_type="application/json")

"""Notification subscriptions, their test message, a site's escalation policy, and an alarm's delivery log."""

from __future__ import annotations

from typing import Any

import msgspec

from server.accounts.principal import Principal
from server.accounts.roles import POLICY_EDITORS, require, require_user
from server.context import Context
from server.errors import InvalidInput, NotFound, RateLimited
from server.notify import calls, channels, policy, targets, template_params, templates
from server.notify.schemas import (
    AttemptOut,
    DeliveryOut,
    NotifyPolicyIn,
    NotifyPolicyOut,
    PhoneCallOut,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionPatch,
    TargetResultOut,
    TestResult,
)
from server.sites.access import visible_site
from server.storage import Connection
from server.storage import alarms as alarm_sql
from server.storage import notify as sql
from server.storage import sites as site_sql
from server.storage import users as user_sql
from server.storage.scopes import site_scope

__all__ = [
    "create_subscription",
    "delete_subscription",
    "deliveries",
    "get_policy",
    "list_subscriptions",
    "phone_call",
    "set_policy",
    "test_subscription",
    "update_subscription",
]

# One test message per subscription in this many seconds: a test to paid SMS costs money each time.
TEST_INTERVAL_S = 30.0


def _out(row: dict[str, Any]) -> SubscriptionOut:
    return msgspec.convert({k: v for k, v in row.items() if k not in ("user_id", "url_secret")}, SubscriptionOut)


async def list_subscriptions(ctx: Context, principal: Principal) -> list[SubscriptionOut]:
    user_id = require_user(principal, "keep notification subscriptions")
    return [_out(r) for r in await ctx.db.read(lambda c: sql.list_subscriptions(c, user_id))]


async def _check_sites(ctx: Context, principal: Principal, site_ids: list[int] | None) -> None:
    if not site_ids:
        if site_ids == []:
            raise InvalidInput("site_ids", "choose at least one site, or leave site_ids out for every site you see")
        return
    scope = site_scope(principal, ctx.reference)
    visible = await ctx.db.read(lambda c: site_sql.visible_site_ids(c, site_ids, scope))
    for index, site_id in enumerate(site_ids):
        if site_id not in visible:
            raise InvalidInput(f"site_ids[{index}]", f"site {site_id} not found")


def _check_quiet(start: str | None, end: str | None) -> None:
    if (start is None) != (end is None):
        raise InvalidInput("quiet_end" if end is None else "quiet_start",
                           "give both quiet_start and quiet_end, or neither")


async def create_subscription(ctx: Context, principal: Principal, body: SubscriptionIn) -> SubscriptionOut:
    user_id = require_user(principal, "keep notification subscriptions")
    target = targets.parse(body.url)
    # Server-side request forgery: no loopback, link-local or private hosts unless the administrator allows them.
    await targets.check(target, allow_private=ctx.settings.notify_allow_private)
    await _check_sites(ctx, principal, body.site_ids)
    _check_quiet(body.quiet_start, body.quiet_end)
    assert ctx.secrets is not None
    record = {
        "user_id": user_id, "label": body.label.strip(), "url_secret": ctx.secrets.seal(body.url.strip()),
        "url_masked": target.masked, "scheme": target.scheme, "service": target.service,
        "site_ids": None if body.site_ids is None else sorted(set(body.site_ids)),
        "levels": sorted(set(body.levels), key=body.levels.index), "lang": body.lang,
        "digest_interval_s": body.digest_interval_s, "quiet_start": body.quiet_start, "quiet_end": body.quiet_end,
        "created_at": ctx.clock(),
    }

    def insert(conn: Connection) -> dict[str, Any]:
        subscription_id = sql.insert_subscription(conn, record)
        row = sql.get_subscription(conn, subscription_id, user_id)
        assert row is not None
        return row

    return _out(await ctx.db.write(insert, durable=True))


async def _own(ctx: Context, principal: Principal, subscription_id: int) -> dict[str, Any]:
    user_id = require_user(principal, "keep notification subscriptions")
    row = await ctx.db.read(lambda c: sql.get_subscription(c, subscription_id, user_id))
    if row is None:
        raise NotFound("subscription", subscription_id)
    return row


async def update_subscription(ctx: Context, principal: Principal, subscription_id: int,
                              patch: SubscriptionPatch) -> SubscriptionOut:
    row = await _own(ctx, principal, subscription_id)
    fields = {f: v for f in patch.__struct_fields__ if (v := getattr(patch, f)) is not msgspec.UNSET}
    if "site_ids" in fields:
        await _check_sites(ctx, principal, fields["site_ids"])
        if fields["site_ids"] is not None:
            fields["site_ids"] = sorted(set(fields["site_ids"]))
    if "label" in fields:
        fields["label"] = fields["label"].strip()
    _check_quiet(fields.get("quiet_start", row["quiet_start"]), fields.get("quiet_end", row["quiet_end"]))

    def update(conn: Connection) -> dict[str, Any]:
        sql.update_subscription(conn, subscription_id, fields)
        updated = sql.get_subscription(conn, subscription_id, principal.id)
        assert updated is not None
        pending = sql.pending_digest(conn, subscription_id)
        if pending is not None and fields.keys() & {"digest_interval_s", "quiet_start", "quiet_end"}:
            # The waiting digest keeps its start; its time follows the new interval and quiet hours.
            sql.reschedule_digest(conn, subscription_id, policy.digest_at(
                pending[0], updated["digest_interval_s"], updated["quiet_start"], updated["quiet_end"],
                ctx.settings.timezone))
        return updated

    return _out(await ctx.db.write(update, durable=True))


async def delete_subscription(ctx: Context, principal: Principal, subscription_id: int) -> None:
    await _own(ctx, principal, subscription_id)
    now = ctx.clock()
    await ctx.db.write(lambda c: sql.cancel_subscription(c, subscription_id, now), durable=True)


async def test_subscription(ctx: Context, principal: Principal, subscription_id: int) -> TestResult:
    """Send a test message now and answer every target's result; recorded like any message."""
    row = await _own(ctx, principal, subscription_id)
    now = ctx.clock()
    last = await ctx.db.read(lambda c: sql.last_test_at(c, subscription_id))
    if last is not None and now - last < TEST_INTERVAL_S:
        wait = int(TEST_INTERVAL_S - (now - last)) + 1
        raise RateLimited(f"a test was sent {now - last:.0f} s ago; try again in {wait} s", wait)
    words = templates.Words(row["lang"], ctx.settings.timezone, ctx.settings.link_base())
    title, body = templates.test_message(words, row["service"], now)
    params = template_params.test_params(words, now)
    key = f"test-s{subscription_id}-{int(now * 1000)}"
    assert ctx.secrets is not None
    result = await targets.send(ctx.secrets.open(row["url_secret"]), masked=row["url_masked"], title=title, body=body,
                                key=key, tone="info", timeout_s=ctx.settings.notify_send_timeout_s,
                                allow_private=ctx.settings.notify_allow_private, params=params)
    results = [msgspec.to_builtins(r) for r in result.results]

    def record(conn: Connection) -> None:
        message_id = sql.insert_message(conn, {"subscription_id": subscription_id, "kind": "test", "key": key,
                                               "level": "info", "title": title, "body": body, "next_at": now,
                                               "created_at": now, "state": "sending", "params": params}, [])
        sql.record_attempt(conn, message_id, ctx.clock(), sum(r.elapsed_s for r in result.results), result.ok,
                           results, None)

    await ctx.db.write(record)
    return TestResult(ok=result.ok, results=[msgspec.convert(r, TargetResultOut) for r in results])


async def phone_call(ctx: Context, principal: Principal) -> PhoneCallOut:
    """Whether the caller is phoned for unacknowledged alarms (notify/calls.py), for the notifications page."""
    user_id = require_user(principal, "be called")
    user = await ctx.db.read(lambda c: user_sql.get_user(c, user_id, user_sql.user_scope(principal)))
    assert user is not None
    return PhoneCallOut(available=bool(ctx.settings.notify_voice_url.strip()),
                        called=principal.role in calls.CALLED_ROLES, phone=str(user["phone"] or ""),
                        after_s=policy.call_after(policy.DEFAULT_ESCALATE_AFTER_S))


# ---- site policy ----------------------------------------------------------------------------------------------


async def get_policy(ctx: Context, principal: Principal, site_id: int) -> NotifyPolicyOut:
    await visible_site(ctx, principal, site_id)
    after = await ctx.db.read(lambda c: sql.get_policy(c, site_id))
    return NotifyPolicyOut(site_id=site_id, escalate_after_s=list(after or policy.DEFAULT_ESCALATE_AFTER_S))


async def set_policy(ctx: Context, principal: Principal, site_id: int, body: NotifyPolicyIn) -> NotifyPolicyOut:
    await visible_site(ctx, principal, site_id)
    require(principal, POLICY_EDITORS, "change a site's escalation times")
    first, second = body.escalate_after_s
    if second <= first:
        raise InvalidInput("escalate_after_s[1]", f"the grid inspector's time ({second:.0f} s) must come after "
                                                  f"the operator company's ({first:.0f} s)")
    await ctx.db.write(lambda c: sql.set_policy(c, site_id, [first, second]), durable=True)
    return NotifyPolicyOut(site_id=site_id, escalate_after_s=[first, second])


# ---- delivery log -----------------------------------------------------------------------------------------------


def _state(row: dict[str, Any]) -> str:
    match row["message_state"]:
        case None:
            return "waiting" if row["mode"] in ("digest", "summary") else "pending"
        case "sent" | "cancelled":
            return str(row["message_state"])
        case _:
            return "retrying" if row["attempts"] else "pending"


def _attempt(entry: dict[str, Any]) -> AttemptOut:
    failed = [r for r in entry["results"] if not r.get("ok")]
    status = "SUCCESS" if entry["ok"] else (failed[0].get("status", "FAILURE") if failed else "FAILURE")
    error = "; ".join(str(r.get("error")) for r in failed) or None
    return msgspec.convert({"ts": entry["ts"], "ok": entry["ok"], "status": status, "error": error,
                            "elapsed_s": entry["elapsed_s"]}, AttemptOut)


async def deliveries(ctx: Context, principal: Principal, alarm_id: int) -> list[DeliveryOut]:
    scope = site_scope(principal, ctx.reference)
    if await ctx.db.read(lambda c: alarm_sql.get_alarm(c, alarm_id, scope)) is None:
        raise NotFound("alarm", alarm_id)
    rows = await ctx.db.read(lambda c: sql.alarm_deliveries(c, alarm_id))
    for row in rows:
        # An address or phone number is personal: others see that a person was told and how, not where.
        if row["user_id"] != principal.id and not principal.is_admin:
            row["target"] = ""
    return [DeliveryOut(
        id=r["id"], transition=r["transition"], transition_at=r["transition_at"], level=r["level"], user=r["user"],
        role=r["role"], subscription_id=r["subscription_id"], target=r["target"], service=r["service"],
        tier=r["tier"], mode=r["mode"], state=_state(r), due_at=r["due_at"], sent_at=r["sent_at"],  # type: ignore[arg-type]
        attempts=[_attempt(a) for a in r["attempt_log"]], channel=channels.channel_of(r["scheme"]),
    ) for r in rows]

"""Notification subscriptions of the signed-in user, and a site's escalation policy."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post, put
from litestar.params import JSONBody

from server.accounts.guards import Caller, Ctx, PathId
from server.notify import service as notifications
from server.notify.schemas import (
    NotifyPolicyIn,
    NotifyPolicyOut,
    PhoneCallOut,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionPatch,
    TestResult,
)

__all__ = ["NotifyPolicyController", "PhoneCallController", "SubscriptionController"]


class SubscriptionController(Controller):
    path = "/api/v1/me/subscriptions"
    tags = ["notifications"]
    security = [{"BearerToken": []}]

    @get("/", summary="The caller's notification subscriptions, secrets masked")
    async def list_all(self, ctx: Ctx, principal: Caller) -> list[SubscriptionOut]:
        return await notifications.list_subscriptions(ctx, principal)

    @post("/", summary="Add an apprise URL (WeCom, WxPusher, ServerChan, email, SMS…) with sites and levels; "
                       "400 when apprise cannot use the URL, or its host is loopback, link-local or private "
                       "(unless ANDIAN_NOTIFY_ALLOW_PRIVATE=1)")
    async def create(self, ctx: Ctx, principal: Caller, data: JSONBody[SubscriptionIn]) -> SubscriptionOut:
        return await notifications.create_subscription(ctx, principal, data)

    @patch("/{subscription_id:int}", summary="Change sites, levels, language, digest interval or quiet hours")
    async def update(self, ctx: Ctx, principal: Caller, subscription_id: PathId,
                     data: JSONBody[SubscriptionPatch]) -> SubscriptionOut:
        return await notifications.update_subscription(ctx, principal, subscription_id, data)

    @delete("/{subscription_id:int}", summary="Remove a subscription; messages waiting for it are not sent")
    async def remove(self, ctx: Ctx, principal: Caller, subscription_id: PathId) -> None:
        await notifications.delete_subscription(ctx, principal, subscription_id)

    @post("/{subscription_id:int}/test", status_code=200,
          summary="Send a test message now; every target's result (one test per 30 s); a host that now "
                  "resolves to a private address is refused without a connection")
    async def test(self, ctx: Ctx, principal: Caller, subscription_id: PathId) -> TestResult:
        return await notifications.test_subscription(ctx, principal, subscription_id)


class PhoneCallController(Controller):
    path = "/api/v1/me/phone-call"
    tags = ["notifications"]
    security = [{"BearerToken": []}]

    @get("/", summary="Whether the caller is phoned when an alarm stays unacknowledged past the first escalation "
                      "rung (owners with a phone number, when the server has ANDIAN_NOTIFY_VOICE_URL)")
    async def show(self, ctx: Ctx, principal: Caller) -> PhoneCallOut:
        return await notifications.phone_call(ctx, principal)


class NotifyPolicyController(Controller):
    path = "/api/v1/sites/{site_id:int}/notify-policy"
    tags = ["notifications"]
    security = [{"BearerToken": []}]

    @get("/", summary="When an unacknowledged alarm goes to the operator company and to the grid inspector")
    async def show(self, ctx: Ctx, principal: Caller, site_id: PathId) -> NotifyPolicyOut:
        return await notifications.get_policy(ctx, principal, site_id)

    @put("/", summary="Set the escalation times of a site (operator, admin)")
    async def change(self, ctx: Ctx, principal: Caller, site_id: PathId,
                     data: JSONBody[NotifyPolicyIn]) -> NotifyPolicyOut:
        return await notifications.set_policy(ctx, principal, site_id, data)

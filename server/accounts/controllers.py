"""Login, logout, the caller, and user accounts."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, patch, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from server.accounts import companies
from server.accounts import service as auth
from server.accounts.guards import Caller, Ctx, PathId
from server.accounts.schemas import (
    CompanyCreate,
    CompanyOut,
    CompanyPatch,
    ElectricianOut,
    LoginRequest,
    LoginResponse,
    MePatch,
    UserCreate,
    UserOut,
)
from server.errors import Forbidden

__all__ = ["AuthController", "CompanyController", "UserController"]


class AuthController(Controller):
    path = "/api/v1"
    tags = ["auth"]

    @post("/auth/login", status_code=HTTP_200_OK, summary="Log in; returns a bearer token")
    async def login(self, ctx: Ctx, data: JSONBody[LoginRequest], request: Request[Any, Any, Any]) -> LoginResponse:
        # The peer address, or the client a trusted reverse proxy names (settings.trusted_proxies).
        client = auth.login_client(request.client.host if request.client else None,
                                   request.headers.get("x-forwarded-for"), ctx.settings.trusted_proxies)
        return await auth.login(ctx, data.username, data.password, client)

    @post(
        "/auth/logout",
        status_code=HTTP_204_NO_CONTENT,
        summary="Revoke the token of this request (a gateway key is refused: DELETE /api/v1/gateways/{id} revokes it)",
        security=[{"BearerToken": []}],
    )
    async def logout(self, ctx: Ctx, principal: Caller, request: Request[Any, Any, Any]) -> None:
        token = request.headers.get("authorization", "").partition(" ")[2].strip()
        await auth.logout(ctx, principal, token)

    @get("/me", summary="The caller", security=[{"BearerToken": []}])
    async def me(self, ctx: Ctx, principal: Caller) -> UserOut:
        if principal.kind != "user":
            raise Forbidden("a gateway API key belongs to no user; log in with a user account")
        return await auth.get_user(ctx, principal, principal.id)

    @patch("/me", summary="Change the caller's phone number (a mainland mobile number; \"\" removes it). An owner "
                          "with a number is called when an alarm stays unacknowledged past the first escalation "
                          "rung, if the server has a voice service (ANDIAN_NOTIFY_VOICE_URL)",
           security=[{"BearerToken": []}])
    async def update_me(self, ctx: Ctx, principal: Caller, data: JSONBody[MePatch]) -> UserOut:
        return await auth.update_me(ctx, principal, data)


class UserController(Controller):
    path = "/api/v1/users"
    tags = ["users"]
    security = [{"BearerToken": []}]

    @post("/", status_code=HTTP_201_CREATED, summary="Create a user (admin)")
    async def create_one(self, ctx: Ctx, principal: Caller, data: JSONBody[UserCreate]) -> UserOut:
        return await auth.create_user(ctx, principal, data)

    @get("/", summary="Users the caller may see")
    async def list_all(self, ctx: Ctx, principal: Caller) -> list[UserOut]:
        return await auth.list_users(ctx, principal)

    @get("/{user_id:int}", summary="One user")
    async def get_one(self, ctx: Ctx, principal: Caller, user_id: PathId) -> UserOut:
        return await auth.get_user(ctx, principal, user_id)


class CompanyController(Controller):
    path = "/api/v1/companies"
    tags = ["users"]
    security = [{"BearerToken": []}]

    @post("/", status_code=HTTP_201_CREATED, summary="Register an operator company (admin)")
    async def create_one(self, ctx: Ctx, principal: Caller, data: JSONBody[CompanyCreate]) -> CompanyOut:
        return await companies.create_company(ctx, principal, data)

    @get("/", summary="Companies the caller may see")
    async def list_all(self, ctx: Ctx, principal: Caller) -> list[CompanyOut]:
        return await companies.list_companies(ctx, principal)

    @patch("/{company_id:int}", summary="Set an operator company's 24-hour hotline (admin)")
    async def patch_one(self, ctx: Ctx, principal: Caller, company_id: PathId,
                        data: JSONBody[CompanyPatch]) -> CompanyOut:
        return await companies.set_hotline(ctx, principal, company_id, data)

    @get("/{company_id:int}/electricians",
         summary="The company's electricians, to dispatch alarms to (its operators, admins)")
    async def electricians(self, ctx: Ctx, principal: Caller, company_id: PathId) -> list[ElectricianOut]:
        return await companies.electricians(ctx, principal, company_id)

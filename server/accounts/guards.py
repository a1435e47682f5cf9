"""Dependencies shared by the controllers: the context and the authenticated caller."""

from __future__ import annotations

from typing import Annotated, Any, TypeAlias

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.handlers import BaseRouteHandler
from litestar.params import PathParameter

from server.accounts.principal import Principal
from server.accounts.service import authenticate
from server.context import Context
from server.fields import MAX_ID

__all__ = ["Caller", "Ctx", "PathId", "authenticated_first", "dependencies"]

# Handler parameters named explicitly as dependencies (Litestar 3 drops inferred ones).
Ctx: TypeAlias = NamedDependency[Context]
Caller: TypeAlias = NamedDependency[Principal]
# An object id in a path; one beyond the id range cannot exist and answers 404 (see api.errors).
PathId: TypeAlias = Annotated[int, PathParameter(ge=1, le=MAX_ID)]


def provide_context(request: Request[Any, Any, Any]) -> Context:
    ctx: Context = request.app.state["andian"]
    return ctx


async def provide_principal(request: Request[Any, Any, Any], ctx: NamedDependency[Context]) -> Principal:
    known = request.state.get("principal")
    if isinstance(known, Principal):
        return known
    return await authenticate(ctx, request.headers.get("authorization"))


async def authenticated_first(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """The app's guard: for every operation that takes the caller, the caller is known before the body is read
    and decoded (Litestar runs guards before ``before_request`` and before it parses ``data``), so an anonymous
    client hears 401 and cannot make the server decode megabytes of batch. ``provide_principal`` reuses it."""
    if "principal" not in handler.parsed_fn_signature.parameters:
        return  # public: login, health, the PWA
    ctx: Context = connection.app.state["andian"]
    connection.state["principal"] = await authenticate(ctx, connection.headers.get("authorization"))


dependencies = {
    "ctx": Provide(provide_context, sync_to_thread=False),
    "principal": Provide(provide_principal),
}

"""Dependencies shared by the controllers: the context and the authenticated caller."""

from __future__ import annotations

from typing import Any, TypeAlias

from litestar import Request
from litestar.di import NamedDependency, Provide

from ..auth.principal import Principal
from ..context import Context
from ..services.auth import authenticate

__all__ = ["Caller", "Ctx", "dependencies"]

# Handler parameters named explicitly as dependencies (Litestar 3 drops inferred ones).
Ctx: TypeAlias = NamedDependency[Context]
Caller: TypeAlias = NamedDependency[Principal]


def provide_context(request: Request[Any, Any, Any]) -> Context:
    ctx: Context = request.app.state["andian"]
    return ctx


async def provide_principal(request: Request[Any, Any, Any], ctx: NamedDependency[Context]) -> Principal:
    return await authenticate(ctx, request.headers.get("authorization"))


dependencies = {
    "ctx": Provide(provide_context, sync_to_thread=False),
    "principal": Provide(provide_principal),
}

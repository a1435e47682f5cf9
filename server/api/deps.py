"""Dependencies shared by the controllers: the context and the authenticated caller."""

from __future__ import annotations

from typing import Annotated, Any, TypeAlias

from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.params import PathParameter

from ..auth.principal import Principal
from ..context import Context
from ..schemas import MAX_ID
from ..services.auth import authenticate

__all__ = ["Caller", "Ctx", "PathId", "dependencies"]

# Handler parameters named explicitly as dependencies (Litestar 3 drops inferred ones).
Ctx: TypeAlias = NamedDependency[Context]
Caller: TypeAlias = NamedDependency[Principal]
# An object id in a path; one beyond the id range cannot exist and answers 404 (see api.errors).
PathId: TypeAlias = Annotated[int, PathParameter(ge=1, le=MAX_ID)]


def provide_context(request: Request[Any, Any, Any]) -> Context:
    ctx: Context = request.app.state["andian"]
    return ctx


async def provide_principal(request: Request[Any, Any, Any], ctx: NamedDependency[Context]) -> Principal:
    return await authenticate(ctx, request.headers.get("authorization"))


dependencies = {
    "ctx": Provide(provide_context, sync_to_thread=False),
    "principal": Provide(provide_principal),
}

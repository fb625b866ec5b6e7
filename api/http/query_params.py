"""Unknown query parameters are refused (400 UNKNOWN_QUERY_PARAMETER): a misspelt filter must not silently
return everything."""

from __future__ import annotations

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.requests import Request

from api.errors import UnknownQueryParameter

_CACHE = "_terra_query_names"  # kept on the route itself (routes compare by value, so they cannot key a dict)


def _allowed(route: APIRoute) -> frozenset[str]:
    allowed: frozenset[str] | None = getattr(route, _CACHE, None)
    if allowed is None:
        allowed = frozenset(_query_names(route.dependant))
        setattr(route, _CACHE, allowed)
    return allowed


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameters a route declares, its dependencies' included."""
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


async def reject_unknown_query_params(request: Request) -> None:
    # async: pure work, so FastAPI runs it inline instead of sending every request through the thread pool
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params:
        return
    unknown = sorted(set(request.query_params) - _allowed(route))
    if unknown:
        raise UnknownQueryParameter(details={"unknown": [name[:64] for name in unknown[:20]]})

"""Unknown query parameters are refused with a 400 naming them.

A misspelt or guessed name (``date_from=`` where the API takes ``from=``) would
otherwise be ignored silently and answer a different question than the one asked.
Each operation's accepted names come from its own query schema (aliases included),
so the check never drifts from what the endpoint documents.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase, JsonResponse
from ninja import Router
from ninja.decorators import decorate_view
from ninja.operation import Operation

MAX_NAMED = 10


def query_names(operation: Operation) -> frozenset[str]:
    """The query parameter names an operation takes."""
    return frozenset(
        name
        for model in operation.models
        if model.__ninja_param_source__ == "query"
        for name in getattr(model, "__ninja_flatten_map__", {})
    )


def unknown_parameters(
    run: Callable[..., HttpResponseBase], known: frozenset[str]
) -> Callable[..., HttpResponseBase]:
    """``run`` preceded by the check."""

    @functools.wraps(run)
    def checked(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        unknown = sorted(set(request.GET) - known)
        if unknown:
            named = ", ".join(repr(name[:40]) for name in unknown[:MAX_NAMED])
            takes = ", ".join(sorted(known)) or "no parameters"
            noun = "parameter" if len(unknown) == 1 else "parameters"
            return JsonResponse(
                {"detail": f"unknown {noun} {named}; this endpoint takes {takes}"}, status=400
            )
        return run(request, *args, **kwargs)

    return checked


def refuse_unknown_parameters(router: Router) -> None:
    """Give every operation of ``router`` the check, as a ``decorate_view`` decorator
    (so it survives ninja binding a copy of each operation to the API), outermost:
    it runs before any cache is consulted."""
    for path_view in router.path_operations.values():
        for operation in path_view.operations:
            known = query_names(operation)
            decorate_view(functools.partial(unknown_parameters, known=known))(operation.view_func)

"""The NinjaAPI instance: OpenAPI at /api/openapi.json, docs at /api/docs.

The docs page is ninja's Swagger UI served from ninja's own static files ("ninja"
is in INSTALLED_APPS, which makes ninja use them instead of a CDN); the online
validator badge is switched off so the page makes no outside request; the page itself
is a copy of ninja's template with a viewport (``web/templates/web/api_docs.html``).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI, Swagger
from ninja.errors import ValidationError

from paperfeed.api.recommendations import router as recommendations_router
from paperfeed.api.routes import router
from paperfeed.api.strict import refuse_unknown_parameters


class Docs(Swagger):
    """ninja's Swagger UI page with a viewport (it had none, so phones drew it 980 px
    wide) and a few rules that keep it within a phone's width."""

    template = "web/api_docs.html"  # with the site's templates (web)


api = NinjaAPI(
    title="paperfeed API",
    version="1",
    description="Read-only access to the paper catalogue: papers, search, similar papers, days, "
    "trending.",
    urls_namespace="api",
    docs=Docs(settings={"validatorUrl": None}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
refuse_unknown_parameters(router)
api.add_router("/", router)
api.add_router("/", recommendations_router)


def _where(error: dict) -> str:
    loc = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "filters")]
    return ".".join(loc) or "request"


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError):
    """A bad parameter: 400 with a readable message, plus ninja's details."""
    message = "; ".join(f"{_where(e)}: {e.get('msg', 'invalid')}" for e in exc.errors)
    return api.create_response(
        request, {"detail": message or "invalid request", "errors": exc.errors}, status=400
    )

"""The application factory: the JSON API and the web pages in one FastAPI app.

``create_app(settings)`` builds the service context (database, knowledge base, HPO) once, at
start-up, and maps the error tree to responses once: problem details under ``/api``, pages (or a
redirect to the login page) elsewhere.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from immunocare import __version__
from immunocare.api import api_routers, problem_response, request_validation_issues
from immunocare.config import Settings
from immunocare.errors import AuthenticationError, ImmunocareError, ValidationError
from immunocare.services import ServiceContext, build_context
from immunocare.services.population import PopulationScreens, ScreenRunner, run_screen
from immunocare.web import STATIC_DIR, render, web_routers
from immunocare.web._session import page_session

__all__ = ["BodyLimitMiddleware", "create_app"]


class BodyLimitMiddleware:
    """Refuse request bodies larger than ``limit`` bytes with 413, declared or streamed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, refusing it once its body passes the limit."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise _TooLargeError
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLargeError:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = {
            "type": "urn:immunocare:problem:PayloadTooLarge",
            "title": "Payload too large",
            "status": 413,
            "detail": f"the request body is larger than {self.limit} bytes",
        }
        await JSONResponse(body, 413, media_type="application/problem+json")(scope, receive, send)


class _TooLargeError(Exception):
    """Raised inside the app when a streamed body passes the limit."""


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _install_error_handlers(app: FastAPI) -> None:
    async def on_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, ImmunocareError)
        if _is_api(request):
            return problem_response(error, instance=request.url.path)
        if isinstance(error, AuthenticationError):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        ctx: ServiceContext = request.app.state.ctx
        response = problem_response(error)
        title = {403: "Not allowed", 404: "Not found"}.get(response.status_code, "Something went wrong")
        return render(
            request,
            "error.html",
            ctx,
            page_session(request, ctx),
            response.status_code,
            title=title,
            message=str(error),
        )

    async def on_request_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        return problem_response(ValidationError(request_validation_issues(error)), instance=request.url.path)

    app.add_exception_handler(ImmunocareError, on_error)
    app.add_exception_handler(RequestValidationError, on_request_error)


def create_app(
    settings: Settings, *, ctx: ServiceContext | None = None, screen_runner: ScreenRunner | None = None
) -> FastAPI:
    """The immunocare web application (pages, JSON API, OpenAPI at /docs).

    ``screen_runner`` runs the Population page's screens (default: the OMOP sources through Ibis).
    """
    context = ctx or build_context(settings)
    screens = PopulationScreens(screen_runner or run_screen)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        context.kb.hpo.ontology  # noqa: B018 - load HPO at start-up, not on the first request
        # The knowledge base and the ontology live as long as the process: moving them out of the
        # collector's reach keeps full collections from walking them during a request.
        gc.collect()
        gc.freeze()
        yield
        screens.close()

    app = FastAPI(
        title="immunocare",
        version=__version__,
        description="Records and decision support for immunodeficiency care centers. "
        "Every clinical rule cites its source; immunocare recommends, it does not order.",
        lifespan=lifespan,
    )
    app.state.ctx = context
    app.state.population = screens
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes)
    _install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/api/health", tags=["Service"], summary="Liveness and version")
    def health() -> dict[str, Any]:
        return {"status": "ok", "version": __version__, "knowledge_base": context.kb.version}

    for router in [*api_routers(), *web_routers()]:
        app.include_router(router)
    return app

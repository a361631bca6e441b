"""The routes: POST /v1/audio/transcriptions and /v1/audio/translations, GET /v1/models and
/health. Errors have OpenAI's shape, ``{"error": {"message", "type", "param", "code"}}``: 400
bad field or unreadable audio, 401 wrong or missing key, 413 upload over the limit, 429 queue
full (with Retry-After), 503 no model. No CORS headers (browsers' cross-site calls are refused).
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.requests import ClientDisconnect

from app.core.model_state import ModelState
from app.server.backend import Backend
from app.server.config import ServerConfig
from app.server.forms import Endpoint, FormError, parse_request
from app.server.hub import EventKind, JobHub
from app.server.render import body
from app.server.session import ClientGone, RequestJob
from app.server.uploads import BadForm, UploadTooLarge, receive_form

log = logging.getLogger(__name__)
OWNER = "granite-dictate"
#: What this server adds to OpenAI's fields (``/v1/models``; remote engines read it).
FEATURES = {"keywords": True, "to_language": True, "chunking_strategy_none": True}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        kind: str = "invalid_request_error",
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.kind, self.param, self.headers = status, kind, param, headers


def _error(err: ApiError) -> JSONResponse:
    doc = {"error": {"message": str(err), "type": err.kind, "param": err.param, "code": None}}
    return JSONResponse(doc, status_code=err.status, headers=err.headers)


def _check_key(config: ServerConfig, request: Request) -> None:
    if not config.api_key:
        return
    given = request.headers.get("authorization", "")
    expected = f"Bearer {config.api_key}"
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise ApiError(401, "Wrong or missing API key.", kind="authentication_error")


def _health(config: ServerConfig, hub: JobHub) -> dict[str, Any]:
    return {
        "status": "ok" if hub.state is ModelState.READY else str(hub.state),
        "model": config.model_id,
        "model_state": str(hub.state),
        "message": hub.state_message,
        "queue": hub.active,
        "max_queue": hub.max_queue,
    }


def _models(config: ServerConfig) -> dict[str, Any]:
    model = {"id": config.model_id, "object": "model", "created": 0, "owned_by": OWNER}
    return {"object": "list", "data": [{**model, "granite_dictate": FEATURES}]}


async def _audio(
    config: ServerConfig, hub: JobHub, backend: Backend, request: Request, endpoint: Endpoint
) -> Response:
    _check_key(config, request)
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > config.max_upload_bytes:
        raise ApiError(413, f"The upload is over {config.max_upload_mb:g} MB.")
    if hub.state.failed:
        raise ApiError(503, f"No model: {hub.state_message}", kind="server_error")
    if not hub.reserve():
        raise ApiError(
            429,
            f"The queue is full ({hub.max_queue} requests); try again later.",
            kind="rate_limit_error",
            headers={"Retry-After": str(hub.retry_after())},
        )
    job = RequestJob(hub, backend)
    try:
        return await _run(config, request, endpoint, job)
    except BaseException:
        job.close()
        raise


async def _run(
    config: ServerConfig, request: Request, endpoint: Endpoint, job: RequestJob
) -> Response:
    try:
        upload = await receive_form(
            request.headers.get("content-type"), request.stream(), config.max_upload_bytes
        )
    except UploadTooLarge:
        raise ApiError(413, f"The upload is over {config.max_upload_mb:g} MB.") from None
    except BadForm as err:
        raise ApiError(400, str(err)) from None
    except ClientDisconnect:
        job.close()
        return Response(status_code=400)
    job.upload = upload
    try:
        req = parse_request(upload, endpoint)
    except FormError as err:
        raise ApiError(400, str(err), param=err.param) from None
    job.start(upload, req)
    if req.stream:
        headers = {"Cache-Control": "no-cache"}
        return StreamingResponse(job.events(), media_type="text/event-stream", headers=headers)
    try:
        event = await job.result(request.receive)
    except ClientGone:
        log.info("client gone: job %s cancelled", job.job_id)
        return Response(status_code=499)
    bad = job.bad_input()
    job.close()
    if event.kind is EventKind.FAILED:
        if bad:
            raise ApiError(400, event.message, param="file")
        raise ApiError(500, event.message, kind="server_error")
    content, media_type = body(event.results[0], req.response_format)
    return Response(content, media_type=media_type)


def create_app(config: ServerConfig, hub: JobHub, backend: Backend) -> FastAPI:
    app = FastAPI(title="Granite Dictate", docs_url=None, redoc_url=None, openapi_url=None)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, err: ApiError) -> JSONResponse:
        return _error(err)

    @app.get("/health")
    async def health(request: Request) -> dict[str, Any]:
        _check_key(config, request)
        return _health(config, hub)

    @app.get("/v1/models")
    async def models(request: Request) -> dict[str, Any]:
        _check_key(config, request)
        return _models(config)

    @app.post("/v1/audio/transcriptions")
    async def transcriptions(request: Request) -> Response:
        return await _audio(config, hub, backend, request, Endpoint.TRANSCRIPTIONS)

    @app.post("/v1/audio/translations")
    async def translations(request: Request) -> Response:
        return await _audio(config, hub, backend, request, Endpoint.TRANSLATIONS)

    return app

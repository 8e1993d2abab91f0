"""GET /metrics: the app's Prometheus registry in the text exposition format."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client.exposition import choose_encoder

from app.api.deps import MetricsDep
from app.api.schemas import ErrorEnvelope

router = APIRouter(tags=["system"])

_EXAMPLE = """\
# HELP ocr_http_requests_total HTTP requests by method, route template and status code.
# TYPE ocr_http_requests_total counter
ocr_http_requests_total{method="POST",route="/ocr/json",status="200"} 12.0
# HELP ocr_queue_depth_pages Pages admitted and waiting for an engine.
# TYPE ocr_queue_depth_pages gauge
ocr_queue_depth_pages 0.0
"""


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={
        200: {
            "description": "Request counts and latencies by route template, pages by "
            "source, inference latency, batch sizes, queue depth, engine busy ratio, "
            "rejected (503) and timed-out (504) requests, the model in use. Text "
            "format 0.0.4, or OpenMetrics when the Accept header asks for it.",
            "content": {"text/plain": {"example": _EXAMPLE}},
        },
        401: {"model": ErrorEnvelope,
              "description": "unauthorized: API keys are configured and none was sent."},
    },
)
async def metrics(request: Request, registry: MetricsDep) -> Response:
    """Scrape target for Prometheus (one process per container: scrape every replica)."""
    encoder, content_type = choose_encoder(request.headers.get("accept", ""))
    body = encoder(registry.registry)
    return Response(body, media_type=content_type)

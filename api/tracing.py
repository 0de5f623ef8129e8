"""Server spans for an ASGI app (FastAPI's maintained instrumentation), when tracing is on.

The instrumentation's own metrics are off: `api.middleware` records
`http.server.request.duration` with the route template and the status class the alerts use.
Only the request span is kept (not one per ASGI send/receive), and no header is captured.
"""

from __future__ import annotations

from fastapi import FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.metrics import NoOpMeterProvider

from draxis.telemetry import INSTRUMENTATION_PROVIDER, Telemetry


def instrument_app(app: FastAPI, telemetry: Telemetry) -> None:
    if not telemetry.enabled:
        return
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=INSTRUMENTATION_PROVIDER,
        meter_provider=NoOpMeterProvider(),
        exclude_spans=["receive", "send"],
    )

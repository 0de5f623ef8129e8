"""W3C trace context carried across a process boundary in a plain string (a Run-now request
row, a Dagster run tag): the run's span joins the trace of the request that asked for it."""

from __future__ import annotations

from opentelemetry.context import Context
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_PROPAGATOR = TraceContextTextMapPropagator()


def current_traceparent() -> str | None:
    """The current span's `traceparent`, or None outside a (recording or sampled) span."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get("traceparent")


def context_of(traceparent: str | None) -> Context | None:
    """The remote parent `traceparent` names, or None (then a span starts its own trace)."""
    if not traceparent:
        return None
    context = _PROPAGATOR.extract({"traceparent": traceparent})
    return context if context else None

"""A panel turn's span in the process's telemetry, kept apart from Langfuse's trace of it.

Langfuse (panel.tracing) makes its own turn span the current OpenTelemetry span while the turn
runs. Our SQL and model-call spans must not hang off a span that only Langfuse has, so inside
Langfuse's block `current_again` makes our turn span current once more; the context keeps what
Langfuse propagates (session, user, metadata), and Langfuse's generations still start from its
own root explicitly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import context, trace
from opentelemetry.trace import Span

from draxis import telemetry


@contextmanager
def turn_span(number: int) -> Iterator[Span]:
    """Span `draxis.panel.turn` (no question text: it may name people)."""
    with (
        telemetry.current()
        .tracer("draxis.panel")
        .start_as_current_span(
            "draxis.panel.turn", attributes={"draxis.panel.turn": number}
        ) as span
    ):
        yield span


@contextmanager
def current_again(span: Span) -> Iterator[None]:
    token = context.attach(trace.set_span_in_context(span))
    try:
        yield
    finally:
        context.detach(token)

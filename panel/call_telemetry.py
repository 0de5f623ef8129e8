"""Each model call as a span of ours and as metrics (latency per model and role, tokens).

The Anthropic SDK talks through httpx2, which no instrumentation covers, so the panel's own
client records its calls here. These spans go to the process's telemetry, never to Langfuse
(panel.tracing has its own provider for the panel's generations).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from opentelemetry.trace import SpanKind

from draxis import telemetry

if TYPE_CHECKING:
    from panel.llm import LlmResponse


def role_of(call: str) -> str:
    """`moderator`, `specialist` or `synthesis` from a call's name (`specialist.privacy`)."""
    return call.split(".", 1)[0]


@contextmanager
def model_call(model: str, call: str) -> Iterator[Callable[[LlmResponse], None]]:
    """Span `draxis.panel.model_call` and the latency histogram; `record(response)` adds tokens."""
    current = telemetry.current()
    role = role_of(call)
    started = time.perf_counter()
    outcome = "error"
    with current.tracer("draxis.panel").start_as_current_span(
        "draxis.panel.model_call",
        kind=SpanKind.CLIENT,
        attributes={
            "gen_ai.system": "anthropic",
            "gen_ai.request.model": model,
            "draxis.panel.role": role,
            "draxis.panel.call": call,
        },
    ) as span:

        def record(response: LlmResponse) -> None:
            usage = response.usage
            prompt = usage.input_tokens + usage.cache_read_tokens + usage.cache_creation_tokens
            span.set_attributes(
                {
                    "gen_ai.response.model": response.model,
                    "gen_ai.usage.input_tokens": prompt,
                    "gen_ai.usage.output_tokens": usage.output_tokens,
                    "draxis.panel.attempts": response.attempts,
                }
            )
            tokens = current.instruments.model_call_tokens
            tokens.add(prompt, {"model": model, "direction": "input"})
            tokens.add(usage.output_tokens, {"model": model, "direction": "output"})

        try:
            yield record
            outcome = "ok"
        finally:
            span.set_attribute("outcome", outcome)
            current.instruments.model_call_duration.record(
                time.perf_counter() - started, {"model": model, "role": role, "outcome": outcome}
            )

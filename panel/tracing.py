"""Langfuse tracing of the panel, through the Langfuse SDK.

One trace per panel turn. Its id is derived from tenant, session and turn
(`Langfuse.create_trace_id(seed="draxis:<tenant>:<session>:<turn>")`), so support can find the
trace of any turn in the audit trail, and another tenant's session can never share it. The trace
carries the tenant id in its metadata and the panel session as its Langfuse session; each model
call is one generation with its model, prompt version, tokens and latency.

Without both `LANGFUSE_PUBLIC_KEY` and `LANGFUSE_SECRET_KEY` no Langfuse client is built at all:
the turn gets a `TurnTrace` whose calls do nothing and whose `trace_id` is None.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from langfuse import Langfuse, is_langfuse_span, propagate_attributes
from langfuse._client.span import LangfuseGeneration, LangfuseSpan
from opentelemetry.sdk.trace import TracerProvider

from draxis.settings import Settings
from panel.llm import LlmResponse

log = logging.getLogger("draxis.panel.tracing")


def turn_trace_id(tenant_id: UUID, session_id: UUID, turn: int) -> str:
    """32 lowercase hex digits, the same for the same tenant, session and turn."""
    return Langfuse.create_trace_id(seed=f"draxis:{tenant_id}:{session_id}:{turn}")


def evaluation_trace_id(tenant_id: UUID, assessment_id: UUID) -> str:
    """The trace of an assessment's evaluation by the model client (tenant-scoped, like turns)."""
    return Langfuse.create_trace_id(seed=f"draxis:{tenant_id}:assessment:{assessment_id}")


class Generation:
    """One model call in a trace; `end` records what came back (or what went wrong)."""

    def __init__(self, observation: LangfuseGeneration | None) -> None:
        self._observation = observation

    def end(self, response: LlmResponse | None = None, *, error: str | None = None) -> None:
        if self._observation is None:
            return
        if response is not None:
            self._observation.update(
                output=(
                    dict(response.tool_input) if response.tool_input is not None else response.text
                ),
                model=response.model,
                usage_details={
                    "input": response.usage.input_tokens,
                    "output": response.usage.output_tokens,
                    "cache_read_input_tokens": response.usage.cache_read_tokens,
                    "cache_creation_input_tokens": response.usage.cache_creation_tokens,
                },
                metadata={
                    "latency_ms": response.latency_ms,
                    "attempts": response.attempts,
                    "stop_reason": response.stop_reason,
                    "anthropic_request_id": response.request_id,
                },
            )
        if error is not None:
            self._observation.update(level="ERROR", status_message=error[:500])
        self._observation.end()


@dataclass(frozen=True, slots=True)
class TurnTrace:
    """A turn's trace; `trace_id` is None when tracing is off."""

    trace_id: str | None
    tenant_id: UUID
    root: LangfuseSpan | None = None

    def generation(
        self,
        name: str,
        *,
        model: str,
        prompt_version: str | None,
        input: Any,
        parameters: Mapping[str, Any],
    ) -> Generation:
        if self.root is None:
            return Generation(None)
        observation = self.root.start_observation(
            name=name,
            as_type="generation",
            model=model,
            input=input,
            version=prompt_version,
            model_parameters=dict(parameters),
            metadata={"tenant_id": str(self.tenant_id), "prompt_version": prompt_version},
        )
        return Generation(observation)

    def finish(self, *, output: Any = None, error: str | None = None) -> None:
        if self.root is None:
            return
        if error is not None:
            self.root.update(level="ERROR", status_message=error[:500], output=output)
        else:
            self.root.update(output=output)


class PanelTracer:
    """Per process. `turn()` opens one turn's trace; `flush()` sends what is batched."""

    def __init__(self, client: Langfuse | None, provider: TracerProvider | None = None) -> None:
        self._client = client
        self._provider = provider

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> PanelTracer:
        if settings.langfuse_public_key is None or settings.langfuse_secret_key is None:
            return cls(None)
        # Langfuse gets a tracer provider of its own, never the process's global one: only our
        # generations reach it (not the SDK's `anthropic.messages.create` spans, which would
        # count every call twice), and `shutdown` really stops its exporter.
        provider = TracerProvider()
        client = Langfuse(
            public_key=settings.langfuse_public_key,
            secret_key=settings.langfuse_secret_key.get_secret_value(),
            base_url=settings.langfuse_base_url,
            environment=settings.environment,
            tracer_provider=provider,
            should_export_span=is_langfuse_span,
            **options,
        )
        return cls(client, provider)

    @property
    def enabled(self) -> bool:
        return self._client is not None

    @contextmanager
    def turn(
        self,
        *,
        tenant_id: UUID,
        session_id: UUID,
        turn: int,
        user_id: UUID | None,
        question: str,
    ) -> Iterator[TurnTrace]:
        if self._client is None:
            yield TurnTrace(None, tenant_id)
            return
        trace_id = turn_trace_id(tenant_id, session_id, turn)
        with (
            self._client.start_as_current_observation(
                trace_context={"trace_id": trace_id},
                name="panel.turn",
                input={"question": question},
                metadata={"tenant_id": str(tenant_id), "turn": turn},
            ) as root,
            propagate_attributes(
                session_id=str(session_id),
                user_id=str(user_id) if user_id else None,
                metadata={"tenant_id": str(tenant_id)},
                trace_name="panel.turn",
            ),
        ):
            yield TurnTrace(trace_id, tenant_id, root)

    @contextmanager
    def evaluation(self, *, tenant_id: UUID, assessment_id: UUID) -> Iterator[TurnTrace]:
        """The trace of one assessment's evaluation: one generation per answer evaluated."""
        if self._client is None:
            yield TurnTrace(None, tenant_id)
            return
        trace_id = evaluation_trace_id(tenant_id, assessment_id)
        with (
            self._client.start_as_current_observation(
                trace_context={"trace_id": trace_id},
                name="assessment.evaluation",
                metadata={"tenant_id": str(tenant_id), "assessment_id": str(assessment_id)},
            ) as root,
            propagate_attributes(
                metadata={"tenant_id": str(tenant_id)}, trace_name="assessment.evaluation"
            ),
        ):
            yield TurnTrace(trace_id, tenant_id, root)

    def flush(self) -> None:
        if self._client is not None:
            self._client.flush()

    def shutdown(self) -> None:
        if self._client is not None:
            self._client.shutdown()
        if self._provider is not None:
            self._provider.shutdown()

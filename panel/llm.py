"""One call to Anthropic's Messages API, through the official SDK, with our own retry policy.

- Model, output limit, per-attempt timeout and retry count come from `Settings` (`DRAXIS_PANEL_*`).
- The SDK's own retries are off (`max_retries=0`) so that every attempt is counted and logged
  here: 429, 408, 409, 5xx and 529 (overloaded), timeouts and connection errors are retried with
  exponential backoff and jitter, honouring `retry-after` (capped); anything else fails at once.
- The system prompt is two blocks: the tenant's context (shared by every persona in a turn, and
  by the next turns while the data is unchanged) marked `cache_control: ephemeral`, then the
  persona's own prompt. The same tool list goes with every call, so the cached prefix (tools,
  then system) is identical across the moderator, the specialists and the synthesis; only
  `tool_choice` differs, which leaves the system cache valid.
- Each call returns its tokens (input, output, cache reads and writes), latency over all
  attempts, the number of attempts and Anthropic's request id.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import anthropic
import httpx2
from anthropic.types import MessageParam, TextBlockParam, ToolChoiceParam, ToolParam

from draxis import telemetry
from draxis.settings import Settings
from panel.call_telemetry import model_call

log = logging.getLogger("draxis.panel.llm")

ErrorKind = Literal[
    "timeout", "rate_limited", "overloaded", "server", "connection", "refused", "malformed"
]
RETRY_AFTER_CAP_SECONDS = 30.0
BACKOFF_CAP_SECONDS = 20.0
_RETRYABLE_STATUS = frozenset({408, 409, 429})


class LlmError(Exception):
    """A call that did not produce a usable answer; `str()` is fit to show a user."""

    def __init__(
        self, message: str, *, kind: ErrorKind, attempts: int, latency_ms: int = 0
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.attempts = attempts
        self.latency_ms = latency_ms


@dataclass(frozen=True, slots=True)
class LlmConfig:
    model: str
    max_tokens: int
    timeout_seconds: float
    max_retries: int
    retry_base_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> LlmConfig:
        return cls(
            model=settings.panel_model,
            max_tokens=settings.panel_max_tokens,
            timeout_seconds=settings.panel_timeout_seconds,
            max_retries=settings.panel_max_retries,
            retry_base_seconds=settings.panel_retry_base_seconds,
        )


@dataclass(frozen=True, slots=True)
class LlmRequest:
    name: str  # "moderator", "specialist.privacy", "synthesis": for logs and traces
    shared_system: str  # cached: identical for every call of a turn
    persona_system: str
    messages: Sequence[MessageParam]
    tools: Sequence[ToolParam] = ()
    force_tool: str | None = None  # the tool the answer must call; None: plain text
    max_tokens: int | None = None


@dataclass(frozen=True, slots=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_creation_tokens: int = 0


@dataclass(frozen=True, slots=True)
class LlmResponse:
    text: str
    tool_input: Mapping[str, Any] | None
    model: str
    stop_reason: str | None
    usage: Usage
    latency_ms: int
    attempts: int
    request_id: str | None


def system_blocks(request: LlmRequest) -> list[TextBlockParam]:
    return [
        {"type": "text", "text": request.shared_system, "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": request.persona_system},
    ]


def tool_choice(request: LlmRequest) -> ToolChoiceParam:
    if request.force_tool is not None:
        return {"type": "tool", "name": request.force_tool}
    return {"type": "none"}


def _retry_after(exc: anthropic.APIStatusError) -> float | None:
    headers = exc.response.headers
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            seconds = float(str(raw)) * scale
            return min(RETRY_AFTER_CAP_SECONDS, max(0.0, seconds))
        except ValueError:
            continue
    return None


def classify(exc: Exception) -> tuple[ErrorKind, bool, float | None]:
    """(kind, retryable, server-suggested delay) for an SDK exception."""
    if isinstance(exc, anthropic.APITimeoutError):
        return "timeout", True, None
    if isinstance(exc, anthropic.APIConnectionError):
        return "connection", True, None
    if isinstance(exc, anthropic.APIStatusError):
        status = exc.status_code
        if status == 529:
            return "overloaded", True, _retry_after(exc)
        if status == 429:
            return "rate_limited", True, _retry_after(exc)
        if status >= 500:
            return "server", True, _retry_after(exc)
        if status in _RETRYABLE_STATUS:
            return "server", True, _retry_after(exc)
        return "refused", False, None
    return "refused", False, None


def backoff_seconds(attempt: int, base: float, rand: Callable[[], float]) -> float:
    """Exponential with jitter: attempt 1 waits base×[0.5, 1), attempt 2 twice that, ..."""
    delay: float = min(BACKOFF_CAP_SECONDS, base * 2.0 ** (attempt - 1))
    return delay * (0.5 + rand() / 2)


_DESCRIBE: dict[ErrorKind, str] = {
    "timeout": "did not answer in time",
    "rate_limited": "is rate-limiting us (HTTP 429)",
    "overloaded": "is overloaded (HTTP 529)",
    "server": "failed with a server error",
    "connection": "could not be reached",
    "refused": "refused the request",
    "malformed": "answered in an unexpected shape",
}


class AnthropicClient:
    """The panel's only door to a model. One instance per process; safe for concurrent calls."""

    def __init__(
        self,
        config: LlmConfig,
        *,
        api_key: str,
        base_url: str | None = None,
        http_client: httpx2.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.config = config
        self._client = anthropic.AsyncAnthropic(
            api_key=api_key,
            base_url=base_url,
            timeout=config.timeout_seconds,
            max_retries=0,
            http_client=http_client,
            # The SDK's own call spans go to the process's telemetry (never Langfuse's provider,
            # see panel.tracing), metadata only: no prompt or answer text, whatever the
            # environment says. No trace context or baggage rides along to Anthropic.
            open_telemetry={
                "propagation": False,
                "tracer_provider": telemetry.INSTRUMENTATION_PROVIDER,
                "traces": {"content_mode": "metadata_only"},
            },
        )
        self._sleep = sleep
        self._rand = rand

    @property
    def model(self) -> str:
        return self.config.model

    async def complete(self, request: LlmRequest) -> LlmResponse:
        with model_call(self.config.model, request.name) as record:
            response = await self._complete(request)
            record(response)
            return response

    async def _complete(self, request: LlmRequest) -> LlmResponse:
        started = time.perf_counter()
        attempts = 0
        while True:
            attempts += 1
            try:
                message = await self._client.messages.create(
                    model=self.config.model,
                    max_tokens=request.max_tokens or self.config.max_tokens,
                    system=system_blocks(request),
                    messages=list(request.messages),
                    tools=list(request.tools),
                    tool_choice=tool_choice(request),
                )
            except anthropic.APIError as exc:
                kind, retryable, suggested = classify(exc)
                elapsed = int((time.perf_counter() - started) * 1000)
                if not retryable or attempts > self.config.max_retries:
                    log.warning(
                        "llm call failed",
                        extra={"call": request.name, "kind": kind, "attempts": attempts},
                    )
                    tries = f" after {attempts} attempts" if attempts > 1 else ""
                    raise LlmError(
                        f"The model {_DESCRIBE[kind]}{tries}: {_reason(exc)}",
                        kind=kind,
                        attempts=attempts,
                        latency_ms=elapsed,
                    ) from exc
                delay = suggested
                if delay is None:
                    delay = backoff_seconds(attempts, self.config.retry_base_seconds, self._rand)
                log.info(
                    "llm call retrying",
                    extra={"call": request.name, "kind": kind, "attempt": attempts, "delay": delay},
                )
                await self._sleep(delay)
                continue
            latency_ms = int((time.perf_counter() - started) * 1000)
            return _response(request, message, latency_ms, attempts)

    async def aclose(self) -> None:
        await self._client.close()


def _reason(exc: anthropic.APIError) -> str:
    if isinstance(exc, anthropic.APIStatusError):
        body = exc.body
        if isinstance(body, dict):
            error = body.get("error")
            if isinstance(error, dict) and isinstance(error.get("message"), str):
                return f"{error['message']} (HTTP {exc.status_code})"
        return f"HTTP {exc.status_code}"
    return type(exc).__name__


def _response(
    request: LlmRequest, message: anthropic.types.Message, latency_ms: int, attempts: int
) -> LlmResponse:
    texts: list[str] = []
    tool_input: Mapping[str, Any] | None = None
    for block in message.content:
        if block.type == "text":
            texts.append(block.text)
        elif block.type == "tool_use" and block.name == request.force_tool:
            tool_input = block.input if isinstance(block.input, dict) else None
    if request.force_tool is not None and tool_input is None:
        raise LlmError(
            f"The model {_DESCRIBE['malformed']}: it did not call {request.force_tool}"
            f" (stop reason {message.stop_reason}).",
            kind="malformed",
            attempts=attempts,
            latency_ms=latency_ms,
        )
    usage = message.usage
    return LlmResponse(
        text="\n".join(texts).strip(),
        tool_input=tool_input,
        model=message.model,
        stop_reason=message.stop_reason,
        usage=Usage(
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_read_tokens=usage.cache_read_input_tokens or 0,
            cache_creation_tokens=usage.cache_creation_input_tokens or 0,
        ),
        latency_ms=latency_ms,
        attempts=attempts,
        request_id=message._request_id,
    )

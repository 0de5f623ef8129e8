"""The LLM client drives the real `anthropic` SDK against recorded responses (local transport)."""

from __future__ import annotations

import asyncio

import httpx2
import pytest

from panel.llm import AnthropicClient, LlmConfig, LlmError, LlmRequest, backoff_seconds
from tests.panel.fake_anthropic import MODEL, FakeAnthropic, error, text, tool

CONFIG = LlmConfig(
    model="claude-sonnet-4-6",
    max_tokens=900,
    timeout_seconds=5.0,
    max_retries=2,
    retry_base_seconds=0.5,
)
REQUEST = LlmRequest(
    name="specialist.privacy",
    shared_system="# The tenant: Acme\n- MFA coverage: RED 71 %",
    persona_system="",
    messages=[{"role": "user", "content": "What does GDPR Art. 32 ask of us?"}],
)


def _client(fake: FakeAnthropic, slept: list[float]) -> AnthropicClient:
    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    return AnthropicClient(
        CONFIG, api_key="sk-ant-test", http_client=fake.client(), sleep=sleep, rand=lambda: 1.0
    )


def _privacy_request() -> LlmRequest:
    from panel.personas import persona

    return LlmRequest(
        name=REQUEST.name,
        shared_system=REQUEST.shared_system,
        persona_system=persona("privacy").prompt,
        messages=REQUEST.messages,
    )


def test_success_accounts_tokens_and_caches_the_shared_prefix() -> None:
    fake, slept = FakeAnthropic(), list[float]()
    fake.on("privacy", text("Art. 32 asks for MFA.", cache_read=900, cache_creation=0))
    response = asyncio.run(_client(fake, slept).complete(_privacy_request()))
    assert response.text == "Art. 32 asks for MFA."
    assert response.model == MODEL
    assert (response.usage.input_tokens, response.usage.output_tokens) == (1200, 180)
    assert response.usage.cache_read_tokens == 900
    assert response.attempts == 1
    assert slept == []
    assert response.request_id is not None
    assert response.request_id.startswith("req_")
    sent = fake.requests[0]
    assert sent["model"] == "claude-sonnet-4-6"
    assert sent["max_tokens"] == 900
    # The tenant's context is the first system block, marked for prompt caching.
    assert sent["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert "cache_control" not in sent["system"][1]
    assert sent["tool_choice"] == {"type": "none"}
    assert fake.headers[0]["authorization"] == "Bearer sk-ant-test"
    assert fake.headers[0]["x-stainless-retry-count"] == "0"


def test_a_429_is_retried_after_the_servers_delay_then_succeeds() -> None:
    fake, slept = FakeAnthropic(), list[float]()
    fake.on(
        "privacy",
        error(429, "rate_limit_error", "Number of request tokens has exceeded your limit.",
              **{"retry-after": "3"}),
        text("Answer after the wait."),
    )  # fmt: skip
    response = asyncio.run(_client(fake, slept).complete(_privacy_request()))
    assert response.text == "Answer after the wait."
    assert response.attempts == 2
    assert slept == [3.0]


def test_overloaded_and_server_errors_back_off_exponentially() -> None:
    fake, slept = FakeAnthropic(), list[float]()
    fake.on(
        "privacy",
        error(529, "overloaded_error", "Overloaded"),
        error(500, "api_error", "Internal server error"),
        text("Third time lucky."),
    )
    response = asyncio.run(_client(fake, slept).complete(_privacy_request()))
    assert response.attempts == 3
    assert slept == [0.5, 1.0]  # base × 2^(n-1), with the jitter pinned at its top


def test_a_timeout_on_every_attempt_fails_with_a_clear_error() -> None:
    fake, slept = FakeAnthropic(), list[float]()
    fake.on("privacy", *[httpx2.ReadTimeout("read timed out")] * 3)
    with pytest.raises(LlmError) as raised:
        asyncio.run(_client(fake, slept).complete(_privacy_request()))
    assert raised.value.kind == "timeout"
    assert raised.value.attempts == 3
    assert "did not answer in time after 3 attempts" in str(raised.value)
    assert len(fake.requests) == 3


def test_a_bad_request_is_not_retried() -> None:
    fake, slept = FakeAnthropic(), list[float]()
    fake.on("privacy", error(400, "invalid_request_error", "max_tokens: too large"))
    with pytest.raises(LlmError) as raised:
        asyncio.run(_client(fake, slept).complete(_privacy_request()))
    assert raised.value.kind == "refused"
    assert raised.value.attempts == 1
    assert "max_tokens: too large (HTTP 400)" in str(raised.value)
    assert slept == []


def test_a_forced_tool_that_is_not_called_is_malformed() -> None:
    fake, slept = FakeAnthropic(), list[float]()
    fake.on("moderator", text("I think Privacy should answer."))
    request = LlmRequest(
        name="moderator",
        shared_system="ctx",
        persona_system="vciso",
        messages=REQUEST.messages,
        tools=[{"name": "convene_panel", "input_schema": {"type": "object"}}],
        force_tool="convene_panel",
    )
    with pytest.raises(LlmError) as raised:
        asyncio.run(_client(fake, slept).complete(request))
    assert raised.value.kind == "malformed"
    assert "did not call convene_panel" in str(raised.value)


def test_the_tool_input_comes_back_as_given() -> None:
    fake, slept = FakeAnthropic(), list[float]()
    fake.on("moderator", tool("convene_panel", {"framing": "x", "specialists": []}))
    request = LlmRequest(
        name="moderator",
        shared_system="ctx",
        persona_system="vciso",
        messages=REQUEST.messages,
        tools=[{"name": "convene_panel", "input_schema": {"type": "object"}}],
        force_tool="convene_panel",
    )
    response = asyncio.run(_client(fake, slept).complete(request))
    assert response.tool_input == {"framing": "x", "specialists": []}
    assert fake.requests[0]["tool_choice"] == {"type": "tool", "name": "convene_panel"}


def test_backoff_is_capped() -> None:
    assert backoff_seconds(1, 1.0, lambda: 0.0) == 0.5
    assert backoff_seconds(30, 1.0, lambda: 1.0) == 20.0

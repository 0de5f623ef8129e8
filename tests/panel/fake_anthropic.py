"""Recorded Messages API responses, served to the real `anthropic` SDK on a local transport.

The SDK talks through `httpx2` (DESIGN.md, section 9), so the fake is an
`httpx2.MockTransport`: every request the SDK makes reaches `FakeAnthropic.handle`, which records
the JSON body and answers with the next scripted response for that caller. Response bodies and
error envelopes follow Anthropic's published shapes (Messages API: `message` objects with
`content` blocks and `usage`; errors as `{"type": "error", "error": {"type", "message"}}`).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2

from panel.personas import personas

MODEL = "claude-sonnet-4-6"
_ids = itertools.count(1)

Reply = httpx2.Response | Exception | Callable[[dict[str, Any]], httpx2.Response]


def message(
    content: list[dict[str, Any]],
    *,
    stop_reason: str = "end_turn",
    input_tokens: int = 1200,
    output_tokens: int = 180,
    cache_read: int = 0,
    cache_creation: int = 0,
) -> httpx2.Response:
    n = next(_ids)
    body = {
        "id": f"msg_01Fake{n:06d}",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "cache_creation_input_tokens": cache_creation,
            "cache_read_input_tokens": cache_read,
        },
    }
    return httpx2.Response(200, json=body, headers={"request-id": f"req_01Fake{n:06d}"})


def text(
    answer: str,
    *,
    input_tokens: int = 1200,
    output_tokens: int = 180,
    cache_read: int = 0,
    cache_creation: int = 0,
) -> httpx2.Response:
    return message(
        [{"type": "text", "text": answer}],
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cache_read=cache_read,
        cache_creation=cache_creation,
    )


def tool(name: str, payload: dict[str, Any]) -> httpx2.Response:
    block = {"type": "tool_use", "id": f"toolu_01Fake{next(_ids):06d}", "name": name,
             "input": payload}  # fmt: skip
    return message([block], stop_reason="tool_use")


def convene(
    *calls: tuple[str, str, str], framing: str = "A renewal-readiness question."
) -> httpx2.Response:
    specialists = [{"persona": p, "question": q, "why": w} for p, q, w in calls]
    return tool("convene_panel", {"framing": framing, "specialists": specialists})


def compose(
    reply: str, rationale: str = "Weighed the specialists against the KRIs."
) -> httpx2.Response:
    return tool("compose_reply", {"reply": reply, "rationale": rationale})


def error(status: int, kind: str, text_: str, **headers: str) -> httpx2.Response:
    body = {"type": "error", "error": {"type": kind, "message": text_}}
    return httpx2.Response(status, json=body, headers={"request-id": "req_err", **headers})


def caller_of(body: dict[str, Any]) -> str:
    """moderator, synthesis, or the specialist's persona id, from what the SDK sent."""
    choice = body.get("tool_choice", {})
    if choice.get("type") == "tool":
        return "moderator" if choice.get("name") == "convene_panel" else "synthesis"
    persona_prompt = body["system"][1]["text"]
    for pid, p in personas().items():
        if p.prompt == persona_prompt:
            return pid
    raise AssertionError("a specialist call without a known persona prompt")


@dataclass
class FakeAnthropic:
    """Scripted answers per caller (FIFO); `delay` seconds before each answer."""

    script: dict[str, deque[Reply]] = field(default_factory=lambda: defaultdict(deque))
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    delay: float = 0.0

    def on(self, caller: str, *replies: Reply) -> FakeAnthropic:
        self.script[caller].extend(replies)
        return self

    def calls(self, caller: str) -> list[dict[str, Any]]:
        return [b for b in self.requests if caller_of(b) == caller]

    async def handle(self, request: httpx2.Request) -> httpx2.Response:
        assert request.url.path == "/v1/messages", request.url
        body = json.loads(request.content)
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        if self.delay:
            await asyncio.sleep(self.delay)
        queue = self.script.get(caller_of(body))
        if not queue:
            raise AssertionError(f"no scripted answer left for {caller_of(body)}")
        reply = queue.popleft()
        if isinstance(reply, Exception):
            raise reply
        if callable(reply):
            return reply(body)
        return reply

    def client(self) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(transport=httpx2.MockTransport(self.handle))

"""Build the panel a process serves with, from settings: a model when `ANTHROPIC_API_KEY` is
set, the offline analyst otherwise; Langfuse tracing when both Langfuse keys are set."""

from __future__ import annotations

import httpx2

from draxis.settings import Settings
from panel.analyst import Analyst
from panel.llm import AnthropicClient, LlmConfig
from panel.model_analyst import ModelAnalyst
from panel.offline import OfflineAnalyst
from panel.orchestrator import Orchestrator
from panel.tracing import PanelTracer


def build_analyst(settings: Settings, *, http_client: httpx2.AsyncClient | None = None) -> Analyst:
    if settings.anthropic_api_key is None:
        return OfflineAnalyst()
    client = AnthropicClient(
        LlmConfig.from_settings(settings),
        api_key=settings.anthropic_api_key.get_secret_value(),
        base_url=settings.anthropic_base_url,
        http_client=http_client,
    )
    return ModelAnalyst(client)


def build_orchestrator(
    settings: Settings,
    *,
    analyst: Analyst | None = None,
    tracer: PanelTracer | None = None,
) -> Orchestrator:
    return Orchestrator(
        analyst or build_analyst(settings),
        tracer or PanelTracer.from_settings(settings),
        context_tokens=settings.panel_context_tokens,
        turn_timeout_seconds=settings.panel_turn_timeout_seconds,
    )

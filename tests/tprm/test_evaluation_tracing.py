"""The model client's evaluation is traced like the panel's turns: one Langfuse trace per
assessment, its id derived from tenant and assessment, one generation per answer evaluated,
the tenant in the metadata (a loopback Langfuse receives the real SDK's export)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, date, datetime

from pydantic import SecretStr

from draxis.settings import Settings
from draxis.tprm.evaluation import EvidenceFile, Item, Request
from panel.assessment_model import ModelEvaluator, build_evaluator
from panel.tracing import PanelTracer, evaluation_trace_id
from tests.panel.fake_anthropic import MODEL, FakeAnthropic, tool
from tests.panel.test_tracing import (  # noqa: F401  (the fixture)
    FakeLangfuse,
    _tracing_settings,
    langfuse_server,
)


def test_each_evaluation_is_one_trace_of_its_tenant(
    settings: Settings,
    langfuse_server: FakeLangfuse,  # noqa: F811
) -> None:
    traced, _ = _tracing_settings(settings, langfuse_server)
    traced = traced.model_copy(
        update={"anthropic_api_key": SecretStr("sk-ant-test"), "panel_max_retries": 0}
    )
    tracer = PanelTracer.from_settings(traced)
    fake = FakeAnthropic()
    answer = tool("record_evaluation", {"score": 0.6, "rationale": "Partly met."})
    fake.on("synthesis", answer, tool("record_evaluation", {"score": 1, "rationale": "Met."}))
    evaluator = build_evaluator(traced, tracer=tracer, http_client=fake.client())
    assert isinstance(evaluator, ModelEvaluator)
    tenant_id, assessment_id = uuid.uuid4(), uuid.uuid4()
    report = EvidenceFile("soc2.txt", "text/plain", 12, datetime.now(UTC), b"SOC 2 Type II")
    request = Request(
        tenant_id,
        assessment_id,
        "Acme",
        "Vendors keep customer data in the EU.",
        date(2026, 12, 6),
        (
            Item("ir", "How fast?", "", "Within 72 hours.", "text", "Within 24 hours."),
            Item("soc2", "SOC 2?", "", "A SOC 2 report.", "file", None, (report,)),
        ),
    )
    try:
        outcome = asyncio.run(evaluator.evaluate(request))
        tracer.flush()
    finally:
        tracer.shutdown()
    trace_id = evaluation_trace_id(tenant_id, assessment_id)
    assert outcome.trace_id == trace_id
    assert sorted(v.score for v in outcome.verdicts) == [0.6, 1.0]
    spans = langfuse_server.trace(trace_id)
    generations = [
        s for s in spans if s.attributes.get("langfuse.observation.type") == "generation"
    ]
    assert sorted(s.name for s in generations) == ["assessment.ir", "assessment.soc2"]
    for gen in generations:
        assert gen.attributes["langfuse.observation.model.name"] == MODEL
        metadata = json.loads(gen.attributes["langfuse.observation.metadata.tenant_id"])
        assert metadata == str(tenant_id)
    [root] = [s for s in spans if s.name == "assessment.evaluation"]
    assert root.attributes["langfuse.trace.name"] == "assessment.evaluation"
    assert trace_id != evaluation_trace_id(uuid.uuid4(), assessment_id)
    assert "Vendors keep customer data in the EU." in fake.requests[0]["system"][0]["text"]

"""Benchmark: a panel turn's latency against its model calls, and the size of its prompts.

    .venv/bin/python -m bench.panel [--turns 10] [--moderator 0.3] [--specialists 0.5,0.7,0.9]
                                    [--synthesis 0.4] [--facts 40]

1. Turn latency. A fake Anthropic Messages API on a loopback port (a threaded `http.server`,
   HTTP/1.1 keep-alive) answers `POST /v1/messages` with the JSON shapes of
   `tests/panel/fake_anthropic.py` after a FIXED delay per caller: the moderator `--moderator`
   seconds, then it convenes the specialists (privacy, tprm, insurance), each answering after its
   delay in `--specialists`, then the synthesis after `--synthesis`. The real `anthropic` SDK is
   pointed at it through `anthropic_base_url`, and `--turns` turns (each in a fresh session, after
   one untimed warm-up turn) are asked through the API (`POST /api/panel-sessions/{id}/messages`,
   JSON mode) with a TestClient, the real orchestrator and a tenant in its own database
   `draxis_bench_panel` on DATABASE_URL's cluster or the embedded one (the demo KRIs and
   `--facts` institutional facts; tracing off). Prints median and p95 (nearest rank) of the
   turn as the client sees it, against the sum of the delays and the max-path (moderator +
   slowest specialist + synthesis: what a turn cannot beat, specialists being concurrent), and
   where the rest goes, from the fake's clock: before the first call (claim the session, record
   the question, read and render the context), between the calls (recording each step, and the
   SDK building the next request), after the synthesis (recording it, releasing the session,
   the JSON answer), inside the calls as the fake sees them, and each call's `latency_ms` as the
   SDK side records it in the audit trail, minus its delay (SDK, HTTP and JSON on loopback).
2. Prompt size for a big tenant: 200 KRIs, 50 risks, 20 outcomes, 30 vendors, 40 facts and 6
   policy excerpts of ~1,500 characters, as an in-memory `panel.context.Snapshot` rendered by
   `render_context` (pure) with the default budget (`Settings().panel_context_tokens`) and the
   largest allowed one. Prints characters, estimated tokens and what each section included and
   left out; then the full prompt of each call (tools, the shared preamble and context, the
   persona's prompt). There is no offline tokenizer for Claude (the SDK's `count_tokens` is an
   API call), so tokens are estimated as characters / 4, as `panel.context` budgets them; the API
   reports real counts per call in the audit trail.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import UUID, uuid4

from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.main import create_app
from bench.db import fresh_database
from connectors.demo import CATALOG
from draxis.db.pool import connect
from draxis.db.roles import DbRole
from draxis.db.urls import role_conninfo
from draxis.settings import Settings
from panel.analyst import TurnInput
from panel.context import (
    CHARS_PER_TOKEN,
    KriFact,
    OutcomeFact,
    RiskFact,
    Snapshot,
    VendorFact,
    estimate_tokens,
    render_context,
)
from panel.model_analyst import TOOLS, preamble
from panel.personas import PERSONA_IDS, SPECIALISTS, personas
from panel.retrieval import ChunkHit, FactRow
from panel.service import build_orchestrator
from panel.tracing import PanelTracer
from tests.factories import PASSWORD, create_tenant
from tests.panel.fake_anthropic import caller_of, compose, convene, text

BENCH_DB = "draxis_bench_panel"
QUESTION = "Are we ready for our cyber insurance renewal, and what do the red KRIs mean for GDPR?"
PARAGRAPH = (
    "The organisation keeps personal data only as long as the purpose requires. Backups holding"
    " customer records are encrypted at rest, kept for 35 days and tested quarterly; restoring"
    " one needs two approvers. Vendors processing personal data sign the data-processing"
    " addendum before access and are reviewed every year by the third-party risk team. "
)


# 1. Turn latency -------------------------------------------------------------------------------
@dataclass
class FakeModel:
    """A loopback Messages API: fixed delay per caller, and when each call arrived and left."""

    delays: dict[str, float]
    calls: list[tuple[str, float, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, body: dict[str, Any]) -> tuple[str, bytes, str]:
        caller = caller_of(body)
        if caller == "moderator":
            reply = convene(
                *((p, f"What does {p} mean for this question?", "it matters") for p in SPECIALISTS)
            )
        elif caller == "synthesis":
            reply = compose("Ready, with gaps. " * 40, "Weighed the answers against the KRIs.")
        else:
            reply = text(f"{caller}: " + "An answer grounded in the tenant's data. " * 30)
        return caller, reply.content, str(reply.headers["request-id"])


@contextmanager
def serve_model(model: FakeModel) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the real API

        def do_POST(self) -> None:
            arrived = time.perf_counter()
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            caller, payload, request_id = model.answer(body)
            time.sleep(model.delays[caller])
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("request-id", request_id)
            self.end_headers()
            self.wfile.write(payload)
            with model.lock:
                model.calls.append((caller, arrived, time.perf_counter()))

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@dataclass(frozen=True, slots=True)
class TurnTiming:
    total: float
    before_first_call: float
    moderator: float
    decision_to_specialists: float
    specialists: float
    specialists_to_synthesis: float
    synthesis: float
    after_synthesis: float
    server_latency_ms: int
    call_overheads_ms: tuple[float, ...]  # each call's latency_ms (SDK side) minus its delay


def _one_turn(client: TestClient, headers: dict[str, str], model: FakeModel) -> TurnTiming:
    delay = {"decision": model.delays["moderator"], "synthesis": model.delays["synthesis"]}
    opened = client.post("/api/panel-sessions", json={"title": "bench"}, headers=headers)
    assert opened.status_code == 201, opened.text
    sid = opened.json()["id"]
    with model.lock:
        model.calls.clear()
    started = time.perf_counter()
    asked = client.post(
        f"/api/panel-sessions/{sid}/messages", json={"content": QUESTION}, headers=headers
    )
    ended = time.perf_counter()
    assert asked.status_code == 201, asked.text
    assert [m["kind"] for m in asked.json()["messages"]].count("specialist") == len(SPECIALISTS)
    with model.lock:
        calls = {caller: (arrived, left) for caller, arrived, left in model.calls}
    first_in = min(calls[s][0] for s in SPECIALISTS)
    last_out = max(calls[s][1] for s in SPECIALISTS)
    return TurnTiming(
        total=ended - started,
        before_first_call=calls["moderator"][0] - started,
        moderator=calls["moderator"][1] - calls["moderator"][0],
        decision_to_specialists=first_in - calls["moderator"][1],
        specialists=last_out - first_in,
        specialists_to_synthesis=calls["synthesis"][0] - last_out,
        synthesis=calls["synthesis"][1] - calls["synthesis"][0],
        after_synthesis=ended - calls["synthesis"][1],
        server_latency_ms=int(asked.json()["latency_ms"]),
        call_overheads_ms=tuple(
            m["latency_ms"] - 1000 * delay.get(m["kind"], model.delays.get(m["persona"], 0.0))
            for m in asked.json()["messages"]
            if m["kind"] in ("decision", "specialist", "synthesis")
        ),
    )


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def turn_latency(args: argparse.Namespace) -> None:
    delays = dict(zip(SPECIALISTS, args.specialists, strict=True))
    delays.update(moderator=args.moderator, synthesis=args.synthesis)
    model = FakeModel(delays)
    settings = fresh_database(BENCH_DB)
    with connect(role_conninfo(settings, DbRole.APP)) as conn:
        tenant = create_tenant(conn, "bench")
    with serve_model(model) as url:
        panel_settings = settings.model_copy(
            update={
                "anthropic_api_key": SecretStr("sk-ant-bench"),
                "anthropic_base_url": url,
                "langfuse_public_key": None,
                "langfuse_secret_key": None,
            }
        )
        orchestrator = build_orchestrator(panel_settings, tracer=PanelTracer(None))
        app = create_app(panel_settings, panel_orchestrator=orchestrator)
        with TestClient(app, base_url="https://testserver") as client:
            login = client.post(
                "/api/auth/login", json={"email": tenant.user_email, "password": PASSWORD}
            )
            assert login.status_code == 200, login.text
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            for n in range(args.facts):
                fact = client.post(
                    "/api/memory/facts",
                    json={
                        "key": f"bench.fact_{n:03d}",
                        "value": f"Fact {n}: " + PARAGRAPH[: 120 + 7 * n % 200],
                        "citation": "Bench",
                    },
                    headers=headers,
                )
                assert fact.status_code == 201, fact.text
            warmup = _one_turn(client, headers, model)
            turns = [_one_turn(client, headers, model) for _ in range(args.turns)]

    max_path = args.moderator + max(args.specialists) + args.synthesis
    calls_sum = args.moderator + sum(args.specialists) + args.synthesis
    totals = [t.total for t in turns]
    median = statistics.median(totals)

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:8.0f} ms"

    def med(name: str) -> float:
        return float(statistics.median(float(getattr(t, name)) for t in turns))

    print(
        f"\n1. turn latency: {args.turns} turns through the API and the real SDK against a"
        f" loopback model (warm-up turn, not counted: {warmup.total * 1000:.0f} ms)"
    )
    print(
        f"   delays per call: moderator {args.moderator:.2f} s, specialists"
        f" {', '.join(f'{d:.2f}' for d in args.specialists)} s, synthesis {args.synthesis:.2f} s"
    )
    print(f"   {'turn, median':<46}{ms(median)}")
    print(f"   {'turn, p95':<46}{ms(_p95(totals))}")
    print(f"   {'turn, min / max':<46}{ms(min(totals))} / {max(totals) * 1000:.0f} ms")
    logged = statistics.median(t.server_latency_ms for t in turns) / 1000
    print(f"   {'turn, as the server logs it (latency_ms), median':<46}{ms(logged)}")
    print(f"   {'sum of the calls delays (if sequential)':<46}{ms(calls_sum)}")
    print(f"   {'max-path (moderator + slowest + synthesis)':<46}{ms(max_path)}")
    print(
        f"   {'overhead over the max-path, median':<46}{ms(median - max_path)}"
        f"  ({(median - max_path) / max_path * 100:.1f}%)"
    )
    print("   where the time goes (median per turn):")
    delay_of = {
        "moderator": args.moderator,
        "specialists": max(args.specialists),
        "synthesis": args.synthesis,
    }
    rows = [
        ("before_first_call", "before the first call (claim, record, read + render context)"),
        ("moderator", "moderator call"),
        ("decision_to_specialists", "decision recorded, specialists called"),
        ("specialists", "specialists (concurrent, first call in to last out)"),
        ("specialists_to_synthesis", "answers recorded, synthesis called"),
        ("synthesis", "synthesis call"),
        ("after_synthesis", "after (record, release the session, JSON answer)"),
    ]
    for name, label in rows:
        value = med(name)
        extra = ""
        if name in delay_of:
            extra = (
                f"   (delay {delay_of[name] * 1000:.0f} ms, +{(value - delay_of[name]) * 1000:.1f})"
            )
        print(f"     {label:<62}{value * 1000:7.1f} ms{extra}")
    overheads = [o for t in turns for o in t.call_overheads_ms]
    print(
        f"     {'one call as the SDK times it, minus its delay (median, max)':<62}"
        f"{statistics.median(overheads):7.1f} ms   (max {max(overheads):.0f} ms;"
        " latency_ms is whole ms)"
    )
    print(
        "   the tenant here has the 12 demo KRIs and the facts above: reading a big tenant's"
        " context costs more (see 2 for its size)"
    )


# 2. Prompt size --------------------------------------------------------------------------------
def big_snapshot(seed: int = 7) -> Snapshot:
    rng = random.Random(seed)  # noqa: S311 - made-up data, not a secret
    now = datetime(2026, 6, 1, tzinfo=UTC)
    units = ["EMEA", "Americas", "APAC", "Retail", "Payments", "Corporate", "Cloud", "Plants"]
    statuses = ["red"] * 20 + ["amber"] * 40 + ["stale"] * 10 + ["no_data"] * 10 + ["green"] * 120
    kris = []
    for i, status in enumerate(statuses):
        base = CATALOG[i % len(CATALOG)]
        value = None if status == "no_data" else round(rng.uniform(0, base.critical * 1.5), 1)
        kris.append(
            KriFact(
                slug=f"{base.slug}_{i:03d}",
                name=f"{base.name} ({units[i % len(units)]})",
                unit=base.unit,
                direction=base.direction,
                status=status,
                value=value,
                warn=base.warn,
                critical=base.critical,
                observed_at=None if value is None else now - timedelta(hours=i),
                previous=None if value is None else round(rng.uniform(0, base.critical * 1.5), 1),
            )
        )
    severities = ["critical", "high", "medium", "low"]
    risks = [
        RiskFact(
            slug=f"risk_{i:02d}",
            title=f"Loss of {rng.choice(['customer', 'payment', 'employee'])} data through"
            f" {rng.choice(['ransomware', 'a vendor breach', 'misconfigured storage'])} ({i})",
            category=rng.choice(["cyber", "privacy", "third party", "operational"]),
            status="open",
            owner=f"owner{i % 7}@example.test",
            severity=severities[i % 4],
            score=round(rng.uniform(10, 95), 1),
        )
        for i in range(50)
    ]
    outcomes = [
        OutcomeFact(
            f"Business outcome {i}: keep {units[i % len(units)]} trading",
            severities[i % 4],
            round(rng.uniform(10, 90), 1),
        )
        for i in range(20)
    ]
    vendors = [
        VendorFact(
            f"Vendor {i:02d} Ltd",
            rng.choice(["payroll", "cloud hosting", "CRM", "payments", "support desk"]),
            1 + i % 3,
            tuple(rng.sample(["name", "email", "ssn", "card", "health", "address"], 3)),
        )
        for i in range(30)
    ]
    facts = [
        FactRow(
            f"policy.fact_{i:02d}",
            f"Fact {i}: " + PARAGRAPH[: 120 + 9 * i % 220],
            f"Board minutes {2025 - i % 3}",
            now - timedelta(days=i),
        )
        for i in range(40)
    ]
    chunks = [
        ChunkHit(
            document_id=uuid4(),
            title=f"Policy {i}",
            citation=f"Policy {i} (policy-{i}.md)",
            chunk_no=i,
            heading=f"Section {i}",
            page=None,
            content=(PARAGRAPH * 5)[:1500],
            rank=1.0 / (i + 1),
        )
        for i in range(6)
    ]
    return Snapshot(
        tenant_id=UUID(int=1),
        tenant_name="Tenant Bench",
        posture_score=62.5,
        kris=tuple(kris),
        risks=tuple(risks),
        outcomes=tuple(outcomes),
        vendors=tuple(vendors),
        facts=tuple(facts),
        chunks=tuple(chunks),
    )


def _section_chars(text: str) -> dict[str, int]:
    """Characters of each `## ` section of the rendered context, by its title's first word."""
    out: dict[str, int] = {}
    body = text.split("\nLeft out for length:", 1)[0]
    for block in body.split("\n## ")[1:]:
        title = block.split("\n", 1)[0].split(" ", 1)[0].lower()
        out[title] = len(block) + 4
    return out


def prompt_size() -> None:
    snapshot = big_snapshot()
    available = {
        "facts": len(snapshot.facts),
        "documents": len(snapshot.chunks),
        "kris": len(snapshot.kris),
        "risks": len(snapshot.risks),
        "outcomes": len(snapshot.outcomes),
        "vendors": len(snapshot.vendors),
    }
    title_word = {
        "facts": "institutional",
        "documents": "policy",
        "kris": "kris",
        "risks": "risks",
        "outcomes": "business",
        "vendors": "third",
    }
    default_budget = Settings().panel_context_tokens
    large_budget = 150_000  # the largest DRAXIS_PANEL_CONTEXT_TOKENS allows
    print(
        "\n2. prompt size for a tenant with 200 KRIs, 50 risks, 20 outcomes, 30 vendors,"
        f" 40 facts, 6 policy excerpts (tokens = chars / {CHARS_PER_TOKEN}, an estimate)"
    )
    rendered = {b: render_context(snapshot, QUESTION, b) for b in (default_budget, large_budget)}
    head = "".join(f"{f'budget {b:,}':>24}" for b in rendered)
    print(f"   {'section':<12}{'available':>10}{head}")
    print(f"   {'':<12}{'':>10}" + f"{'in / out   chars':>24}" * len(rendered))
    for key, count in available.items():
        cells = ""
        for context in rendered.values():
            chars = _section_chars(context.text).get(title_word[key], 0)
            cells += f"{context.included[key]:>11} / {context.left_out[key]:<3}{chars:>8,}"
        print(f"   {key:<12}{count:>10}{cells}")
    contexts = list(rendered.values())
    print(f"   {'context':<22}" + "".join(f"{f'{len(c.text):,} chars':>24}" for c in contexts))
    print(f"   {'':<22}" + "".join(f"{f'~{c.estimated_tokens:,} tokens':>24}" for c in contexts))

    print("   full prompt of each call (tools + shared preamble and context + persona prompt):")
    tools = json.dumps(list(TOOLS))
    for budget, context in rendered.items():
        turn = TurnInput(QUESTION, "panel", snapshot, context)
        shared = preamble(turn)
        print(
            f"     budget {budget:,}: tools {len(tools):,} chars ({estimate_tokens(tools):,} t),"
            f" shared system {len(shared):,} chars ({estimate_tokens(shared):,} t, cached)"
        )
        per_call = {}
        for pid in PERSONA_IDS:
            own = personas()[pid].prompt
            total = len(tools) + len(shared) + len(own)
            per_call[pid] = total
            print(
                f"       {pid:<10} persona {len(own):>6,} chars   call total {total:>8,} chars"
                f"  ~{math.ceil(total / CHARS_PER_TOKEN):>6,} t"
            )
        # One turn with every specialist: the moderator twice (routing, synthesis), 3 specialists.
        turn_chars = 2 * per_call["vciso"] + sum(per_call[s] for s in SPECIALISTS)
        cached = 5 * (len(tools) + len(shared))
        print(
            f"       one turn (5 calls): ~{math.ceil(turn_chars / CHARS_PER_TOKEN):,} input tokens"
            f" before messages, {cached / turn_chars * 100:.0f}% of it the cacheable prefix"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--moderator", type=float, default=0.30)
    parser.add_argument(
        "--specialists",
        type=lambda s: [float(x) for x in s.split(",")],
        default=[0.50, 0.70, 0.90],
        help="delays of privacy, tprm, insurance, in seconds, comma-separated",
    )
    parser.add_argument("--synthesis", type=float, default=0.40)
    parser.add_argument("--facts", type=int, default=40)
    args = parser.parse_args()
    if len(args.specialists) != len(SPECIALISTS):
        parser.error(f"--specialists takes {len(SPECIALISTS)} delays")
    print(
        f"$ .venv/bin/python -m bench.panel --turns {args.turns} --moderator {args.moderator}"
        f" --specialists {','.join(str(d) for d in args.specialists)}"
        f" --synthesis {args.synthesis} --facts {args.facts}"
    )
    turn_latency(args)
    prompt_size()


if __name__ == "__main__":
    main()

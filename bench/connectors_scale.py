"""Benchmark: vendor connectors against a synthetic 50,000-device tenant on a loopback server.

    .venv/bin/python -m bench.connectors_scale [--devices 50000] [--alerts 50000] [--vulns 50000]

Each synthetic vendor (tests/connectors/sims) enforces its vendor's documented limits — page and
batch caps, the offset + limit <= 10,000 cap of Falcon's offset queries, ``$top`` caps — and
rate-limit headers (CrowdStrike ``X-RateLimit-Limit``/``-Remaining`` and a 429 with the epoch
``X-RateLimit-RetryAfter``; Defender's 100 calls a minute per API with a 429 and
``Retry-After``; GitHub's ``x-ratelimit-*`` and a 403 when the hour's budget is spent).
It is served over real HTTP on 127.0.0.1 by a threaded ``http.server``; the
connector's own `VendorHttp` (retries, the SSRF guard with 127.0.0.0/8 allow-listed, auth) talks
to it through a transport that sends each request to the loopback port while keeping the
vendor's Host. Waits asked by a 429 are really slept. Printed per connector: requests, seconds,
429s answered and the KRIs computed.

Only the connectors with a synthetic vendor are measured (CrowdStrike Falcon, Defender for
Endpoint, GitHub Advanced Security — GitHub's unit is alerts, not devices: ``--github-alerts`` of
each kind, ``per_page`` ≤ 100, 5,000 requests an hour with ``x-ratelimit-*``); the others have
none yet.
"""

from __future__ import annotations

import argparse
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from uuid import UUID

import httpx

from connectors.base import Connector, ConnectorContext, RunResult
from connectors.crowdstrike_falcon import CONNECTOR as FALCON
from connectors.defender_for_endpoint import CONNECTOR as DEFENDER
from connectors.github_advanced_security import CONNECTOR as GITHUB
from connectors.http import HttpEnv, HttpPolicy
from tests.connectors.sims.core import Sim, SimRequest
from tests.connectors.sims.defender import DefenderSim
from tests.connectors.sims.falcon import FalconSim
from tests.connectors.sims.github import GitHubSim

COMMAND = "python -m bench.connectors_scale"
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # the synthetic tenants' "now"


class Counted:
    """A sim that counts what it serves (requests and 429s), thread-safely."""

    def __init__(self, sim: Sim) -> None:
        self.sim = sim
        self.requests = 0
        self.limited = 0
        self._lock = threading.Lock()

    def handle(self, request: SimRequest) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            answer = self.sim.handle(request)
            self.requests += 1
            # a rate-limit refusal: a 429, or GitHub's 403 with its budget at 0
            self.limited += answer.status == 429 or (
                answer.status == 403 and answer.headers.get("x-ratelimit-remaining") == "0"
            )
        return answer.status, answer.headers, answer.content()


def serve(counted: Counted) -> tuple[ThreadingHTTPServer, int]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = SimRequest(
                self.command,
                parts.path,
                dict(parse_qsl(parts.query, keep_blank_values=True)),
                body,
                {k.lower(): v for k, v in self.headers.items()},
            )
            status, headers, content = counted.handle(request)
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = _answer  # noqa: N815 - http.server's naming

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


class Loopback(httpx.HTTPTransport):
    """Sends every request to 127.0.0.1:`port` over plain HTTP, keeping its Host header."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.port = port

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self.port)
        return super().handle_request(request)


@dataclass(frozen=True)
class Case:
    name: str
    connector: Connector
    sim: Callable[[], Sim]
    config: dict[str, str]
    credentials: dict[str, str]


def run_case(case: Case) -> tuple[RunResult, Counted, float]:
    counted = Counted(case.sim())
    server, port = serve(counted)
    logger = logging.getLogger(f"bench.{case.name}")
    env = HttpEnv(
        policy=HttpPolicy(allowed_networks=("127.0.0.0/8",), max_retry_after=90.0),
        transport=Loopback(port),
        resolver=lambda host: ["127.0.0.1"],
        logger=logger,
    )
    ctx = ConnectorContext(
        tenant_id=UUID(int=1),
        tenant_slug="bench",
        source_id=UUID(int=2),
        config=case.config,
        clock=lambda: NOW,
        logger=logger,
        credentials=case.credentials,
        http_env=env,
    )
    started = time.perf_counter()
    try:
        result = case.connector.run(ctx)
    finally:
        seconds = time.perf_counter() - started
        server.shutdown()
        server.server_close()
    return result, counted, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=50_000)
    parser.add_argument("--alerts", type=int, default=50_000)
    parser.add_argument("--vulns", type=int, default=50_000)
    parser.add_argument("--github-alerts", type=int, default=10_000, help="of each kind")
    args = parser.parse_args()
    cases = [
        Case(
            "crowdstrike-falcon",
            FALCON,
            lambda: FalconSim(hosts=args.devices, alerts=args.alerts, vulns=args.vulns),
            {"cloud": "api.crowdstrike.com", "client_id": "bench"},
            {"client_secret": "bench"},
        ),
        Case(
            "defender-for-endpoint",
            DEFENDER,
            lambda: DefenderSim(machines=args.devices, alerts=args.alerts, vulns=args.vulns),
            {"tenant_id": "bench.onmicrosoft.com", "client_id": "bench"},
            {"client_secret": "bench"},
        ),
        Case(
            "github-advanced-security",
            GITHUB,
            lambda: GitHubSim(alerts=args.github_alerts),
            {"org": "acme-corp"},
            {"token": "bench"},
        ),
    ]
    print(
        f"connectors at {args.devices:,} devices, {args.alerts:,} alerts, {args.vulns:,} "
        "vulnerability records, loopback HTTP, documented limits enforced"
    )
    print(f"{'connector':<24}{'requests':>9}{'limited':>8}{'seconds':>9}{'items':>9}  KRIs")
    for case in cases:
        result, counted, seconds = run_case(case)
        kris = json.dumps(
            {r["kri_slug"]: r["value"] for r in result.observations.iter_rows(named=True)}
        )
        print(
            f"{case.name:<24}{counted.requests:>9}{counted.limited:>8}{seconds:>9.2f}"
            f"{result.items_fetched:>9}  {kris}"
        )
        for warning in result.warnings:
            print(f"{'':<24}warning: {warning}")
    print(
        f"reproduce: {COMMAND} --devices {args.devices} --alerts {args.alerts} "
        f"--vulns {args.vulns} --github-alerts {args.github_alerts}"
    )


if __name__ == "__main__":
    main()

"""Benchmark: what tracing costs `GET /api/dashboard`, with and without, in the same run.

    .venv/bin/python -m bench.tracing_overhead [--tenants 16] [--clients 16] [--seconds 15]
                                               [--rounds 2]

One database (`draxis_bench_tracing` on DATABASE_URL's cluster or the embedded one) with
`--tenants` demo tenants; the app served by uvicorn in its own process in three modes:
- `none`: DRAXIS_OTEL_EXPORTER=none, nothing instrumented (the default);
- `otlp`: DRAXIS_OTEL_EXPORTER=otlp, every request traced: the FastAPI and psycopg
  instrumentations, the redacting exporter and the batch processor, exporting over OTLP/HTTP to
  a loopback collector in this process that decodes and counts what it gets;
- `otlp-10%`: the same with OTEL_TRACES_SAMPLER=parentbased_traceidratio at 0.1, how
  production would sample a busy API (metrics are not sampled).
The modes alternate for `--rounds` rounds of `--seconds` each with `--clients` concurrent
clients, each signed in to its own tenant; it prints throughput and latency per mode, the
overhead against `none`, and how many spans reached the collector.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import statistics
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from bench.auth_load import _serve
from bench.db import fresh_database
from bench.rollups import _dashboard_load
from draxis.db.pool import connect
from draxis.db.roles import DbRole
from draxis.db.urls import role_conninfo
from tests.factories import create_tenant

BENCH_DB = "draxis_bench_tracing"


class Collector:
    """A loopback OTLP/HTTP endpoint: accepts traces and metrics; keeps the trace bodies to
    count their spans afterwards (decoding meanwhile would take CPU from the load)."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.lock = threading.Lock()
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                if self.path == "/v1/traces":
                    with collector.lock:
                        collector.bodies.append(body)
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def spans(self) -> int:
        count = 0
        for body in self.bodies:
            request = ExportTraceServiceRequest()
            request.ParseFromString(body)
            count += sum(
                len(scope.spans)
                for resource in request.resource_spans
                for scope in resource.scope_spans
            )
        return count

    @contextmanager
    def running(self) -> Iterator[Collector]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()


@contextmanager
def environment(**values: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


MODES = {
    "none": ("none", {}),
    "otlp": ("otlp", {"OTEL_TRACES_SAMPLER": "parentbased_always_on"}),
    "otlp-10%": (
        "otlp",
        {"OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.1"},
    ),
}


def measure(
    settings: Any, pem: str, emails: list[str], clients: int, seconds: float, mode: str
) -> list[float]:
    exporter, env = MODES[mode]
    with (
        environment(**env),
        _serve(settings, pem, otel_exporter=exporter, otel_metric_interval_seconds="5") as url,
    ):
        asyncio.run(_dashboard_load(url, emails, clients, 2.0))  # warm: pools, prepared plans
        return asyncio.run(_dashboard_load(url, emails, clients, seconds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=16)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    settings = fresh_database(BENCH_DB)
    with connect(role_conninfo(settings, DbRole.APP)) as conn:
        emails = [create_tenant(conn, f"t{i}").user_email for i in range(args.tenants)]
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    clients = min(args.clients, args.tenants)
    results: dict[str, list[list[float]]] = {mode: [] for mode in MODES}
    with (
        Collector().running() as collector,
        environment(OTEL_EXPORTER_OTLP_ENDPOINT=collector.url),
    ):
        for _ in range(args.rounds):
            for mode in MODES:
                results[mode].append(measure(settings, pem, emails, clients, args.seconds, mode))
        spans = collector.spans

    print(
        f"GET /api/dashboard, {clients} concurrent clients, {args.rounds} rounds of"
        f" {args.seconds:.0f} s per mode, one uvicorn process, modes alternating"
    )
    rates = {}
    for mode, rounds in results.items():
        samples = sorted(s for r in rounds for s in r)
        rate = len(samples) / (args.seconds * args.rounds)
        rates[mode] = rate
        p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
        label = f"{mode:9}"
        per_round = ", ".join(f"{len(r) / args.seconds:.0f}" for r in rounds)
        print(
            f"  {label}  {rate:7.1f} req/s (rounds: {per_round})"
            f"   p50 {statistics.median(samples) * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms"
            f"   n={len(samples)}"
        )
    for mode in ("otlp", "otlp-10%"):
        print(f"  {mode} costs {(1 - rates[mode] / rates['none']) * 100:.1f}% of throughput")
    print(f"  spans the loopback collector received: {spans}")
    print(
        "reproduce: .venv/bin/python -m bench.tracing_overhead"
        f" --tenants {args.tenants} --clients {args.clients} --seconds {args.seconds:.0f}"
        f" --rounds {args.rounds}"
    )


if __name__ == "__main__":
    main()

"""Benchmark: a read tool through the MCP server against the same data through REST.

    .venv/bin/python -m bench.mcp_latency [--clients 8] [--calls 40]

Serves the real app in its own process (uvicorn, as `bench.auth_load` does), in its own
database `draxis_bench_mcp` on DATABASE_URL's cluster or the embedded one, with one demo tenant
materialized (37 KRIs, 180 days of history). Each of `--clients` concurrent clients holds its
own personal access token (so no client shares another's rate limit) and makes `--calls` calls
of each pair, timing every call:

* `posture_summary` (MCP, the SDK's client over streamable HTTP, one initialized session per
  client) against `GET /api/dashboard` (REST), which read the same stored dashboard document;
* `list_risks` against `GET /api/risks?limit=50`.

Prints p50 / p95 / max per pair and the command to reproduce.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable

import httpx
import httpx2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client

from bench.auth_load import _percentiles, _serve
from bench.db import fresh_database
from draxis.db.pool import connect
from draxis.db.roles import DbRole
from draxis.db.urls import role_conninfo
from tests.factories import PASSWORD, create_tenant, materialize_tenant

BENCH_DB = "draxis_bench_mcp"
PAIRS = (("posture_summary", "/api/dashboard"), ("list_risks", "/api/risks?limit=50"))


def _tokens(url: str, email: str, count: int) -> list[str]:
    login = httpx.post(f"{url}/api/auth/login", json={"email": email, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    made = [
        httpx.post(f"{url}/api/me/tokens", headers=headers, json={"name": f"bench {i}"})
        for i in range(count)
    ]
    return [str(m.json()["token"]) for m in made]


async def _timed(call: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await call()
    return time.perf_counter() - started


async def _mcp_client(url: str, token: str, tool: str, calls: int) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=60) as http,
        streamable_http_client(f"{url}/api/mcp", http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()

        async def one() -> None:
            result = await session.call_tool(tool, {})
            assert not result.is_error, result.content

        return [await _timed(one) for _ in range(calls)]


async def _rest_client(url: str, token: str, path: str, calls: int) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:

        async def one() -> None:
            answer = await client.get(path)
            assert answer.status_code == 200, answer.text

        return [await _timed(one) for _ in range(calls)]


async def _load(
    client: Callable[[str, str, str, int], Awaitable[list[float]]],
    url: str,
    tokens: list[str],
    target: str,
    calls: int,
) -> list[float]:
    results = await asyncio.gather(*(client(url, t, target, calls) for t in tokens))
    return [s for r in results for s in r]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--calls", type=int, default=40)
    args = parser.parse_args()
    settings = fresh_database(BENCH_DB)
    with connect(role_conninfo(settings, DbRole.APP)) as conn:
        tenant = create_tenant(conn, "bench")
    materialize_tenant(settings, tenant)
    command = "python -m bench.mcp_latency " + " ".join(f"--{k} {v}" for k, v in vars(args).items())
    print(f"$ {command}")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    with _serve(settings, pem) as url:
        tokens = _tokens(url, tenant.user_email, args.clients)
        for tool, path in PAIRS:
            asyncio.run(_load(_rest_client, url, tokens, path, 2))  # warm the pool and caches
            rest = asyncio.run(_load(_rest_client, url, tokens, path, args.calls))
            mcp = asyncio.run(_load(_mcp_client, url, tokens, tool, args.calls))
            print(f"REST GET {path:<22} {args.clients} clients   {_percentiles(rest)}")
            print(f"MCP  {tool:<26} {args.clients} clients   {_percentiles(mcp)}")


if __name__ == "__main__":
    main()

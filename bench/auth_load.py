"""Benchmark: sign-in and refresh latency under concurrency, and the cost of the session check.

    .venv/bin/python -m bench.auth_load [--clients 20] [--requests 10] [--seconds 5]

Serves the real app with uvicorn on a loopback port (one process, its default thread pool), in
its own database `draxis_bench_auth` on DATABASE_URL's cluster or the embedded one. Prints:

* login and refresh p50 / p95 / max with `--clients` concurrent clients, each doing
  `--requests` calls (every login is one argon2id verification: that is the cost being measured);
* unknown-e-mail versus wrong-password login medians (they must match: no user enumeration);
* requests/s of `GET /api/me` for `--seconds`, with the per-request session check on, then off.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bench.db import fresh_database
from draxis.db.pool import connect
from draxis.db.roles import DbRole
from draxis.db.urls import role_conninfo
from draxis.security.passwords import hash_password, verify_password
from draxis.settings import Settings
from tests.factories import PASSWORD, create_tenant

BENCH_DB = "draxis_bench_auth"


@contextmanager
def _serve(settings: Settings, key_pem: str, **overrides: str) -> Iterator[str]:
    """The app in its own process (as in production: the load generator gets its own GIL)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url or "",
        "DRAXIS_ENVIRONMENT": "test",
        "DRAXIS_JWT_PRIVATE_KEY": key_pem,
        "DRAXIS_LOGIN_RATE_LIMIT": str(10**9),
        "DRAXIS_AUTH_RATE_LIMIT": str(10**9),
        "DRAXIS_LOCKOUT_THRESHOLD": str(10**6),
        "DRAXIS_COOKIE_SECURE": "false",  # plain http on loopback
        "DRAXIS_LOG_LEVEL": "WARNING",
        **{f"DRAXIS_{k.upper()}": v for k, v in overrides.items()},
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.main:create_app",
            "--factory",
            "--port",
            str(port),
            "--no-access-log",
            "--no-proxy-headers",  # as `draxis serve` (cli.serve.server_config)
            "--log-level",
            "warning",
        ],
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the API did not start within 30 s")
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(10)


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return (
        f"p50 {statistics.median(ordered) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms"
        f"   max {ordered[-1] * 1000:7.1f} ms   n={len(ordered)}"
    )


async def _timed(call: Callable[[], Awaitable[httpx.Response]], expect: int) -> float:
    started = time.perf_counter()
    response = await call()
    elapsed = time.perf_counter() - started
    assert response.status_code == expect, response.text
    return elapsed


async def _login_load(url: str, email: str, clients: int, requests: int) -> list[float]:
    async def one_client() -> list[float]:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            body = {"email": email, "password": PASSWORD}
            return [
                await _timed(lambda: client.post("/api/auth/login", json=body), 200)
                for _ in range(requests)
            ]

    results = await asyncio.gather(*(one_client() for _ in range(clients)))
    return [s for r in results for s in r]


async def _refresh_load(url: str, email: str, clients: int, requests: int) -> list[float]:
    async def one_client() -> list[float]:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            login = await client.post(
                "/api/auth/login", json={"email": email, "password": PASSWORD}
            )
            assert login.status_code == 200
            return [
                await _timed(lambda: client.post("/api/auth/refresh"), 200) for _ in range(requests)
            ]

    results = await asyncio.gather(*(one_client() for _ in range(clients)))
    return [s for r in results for s in r]


async def _refused(url: str, email: str, count: int) -> list[float]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        body = {"email": email, "password": "not the password"}
        return [
            await _timed(lambda: client.post("/api/auth/login", json=body), 401)
            for _ in range(count)
        ]


async def _me_rate(url: str, email: str, clients: int, seconds: float) -> float:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        login = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    done = 0
    deadline = time.perf_counter() + seconds

    async def one_client() -> None:
        nonlocal done
        async with httpx.AsyncClient(base_url=url, timeout=60, headers=headers) as client:
            while time.perf_counter() < deadline:
                response = await client.get("/api/me")
                assert response.status_code == 200, response.text
                done += 1

    started = time.perf_counter()
    await asyncio.gather(*(one_client() for _ in range(clients)))
    return done / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    settings = fresh_database(BENCH_DB)
    with connect(role_conninfo(settings, DbRole.APP)) as conn:
        tenant = create_tenant(conn, "bench")
    command = "python -m bench.auth_load " + " ".join(f"--{k} {v}" for k, v in vars(args).items())
    print(f"$ {command}")
    sample = hash_password("bench-password-0123")
    started = time.perf_counter()
    for _ in range(5):
        verify_password(sample, "bench-password-0123")
    print(
        f"one argon2id verification on this machine: {(time.perf_counter() - started) * 200:.0f} ms"
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    with _serve(settings, pem) as url:
        logins = asyncio.run(_login_load(url, tenant.user_email, args.clients, args.requests))
        print(f"login    {args.clients} concurrent clients   {_percentiles(logins)}")
        refreshes = asyncio.run(_refresh_load(url, tenant.user_email, args.clients, args.requests))
        print(f"refresh  {args.clients} concurrent clients   {_percentiles(refreshes)}")
        known = asyncio.run(_refused(url, tenant.user_email, 20))
        unknown = asyncio.run(_refused(url, "nobody-bench@example.test", 20))
        print(
            f"refused login, one client: wrong password p50 {statistics.median(known) * 1000:.1f}"
            f" ms, unknown e-mail p50 {statistics.median(unknown) * 1000:.1f} ms"
        )
        with_check = asyncio.run(_me_rate(url, tenant.user_email, args.clients, args.seconds))
    with _serve(settings, pem, session_check="false") as url:
        without = asyncio.run(_me_rate(url, tenant.user_email, args.clients, args.seconds))
    print(
        f"GET /api/me  {with_check:7.0f} req/s with the session check,"
        f" {without:7.0f} req/s without ({(1 - with_check / without) * 100:.0f}% cost)"
    )


if __name__ == "__main__":
    main()

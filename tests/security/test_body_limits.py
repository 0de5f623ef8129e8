"""Request bodies are capped while streaming, before authentication and before parsing.

A body over `DRAXIS_MAX_BODY_BYTES` (uploads: `DRAXIS_MAX_UPLOAD_BODY_BYTES`) answers 413: at once
when its Content-Length says so, without reading it; after the cap when it is streamed (chunked,
no length). The raw-socket tests speak to a real uvicorn started as `draxis serve` starts it.
"""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
from fastapi.testclient import TestClient

from draxis.settings import Settings
from tests.factories import TenantFixture
from tests.identity import bearer, login
from tests.live import serving

MiB = 1024 * 1024
CHUNK = 64 * 1024


def connect(base: str) -> socket.socket:
    where = urlsplit(base)
    return socket.create_connection((where.hostname or "127.0.0.1", where.port or 80), timeout=10)


def read_head(sock: socket.socket, timeout: float) -> bytes:
    """The response's status line and headers, or what arrived before `timeout` or a close."""
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            got = sock.recv(65536)
            if not got:
                break
            data += got
    except (TimeoutError, ConnectionResetError):
        pass
    return data


def test_a_content_length_over_the_cap_is_refused_without_reading_the_body(
    settings: Settings,
) -> None:
    with serving(settings) as base, connect(base) as sock:
        sock.sendall(
            b"POST /api/auth/login HTTP/1.1\r\nHost: draxis\r\n"
            b"Content-Type: application/json\r\nContent-Length: 104857600\r\n\r\n"
        )
        head = read_head(sock, timeout=5)  # not one byte of the 100 MB is sent
        assert head.startswith(b"HTTP/1.1 413 "), head[:200]
        assert b"application/problem+json" in head
        assert b"x-content-type-options: nosniff" in head.lower()
        assert httpx.get(f"{base}/health").status_code == 200


def stream_until_answered(sock: socket.socket, limit: int) -> tuple[int, bytes]:
    """Send an endless chunked body until the server answers (or `limit` bytes went out)."""
    chunk = b"%x\r\n" % CHUNK + b"x" * CHUNK + b"\r\n"
    sent = 0
    sock.setblocking(False)
    while sent < limit:
        readable, writable, _ = select.select([sock], [sock], [], 5)
        if readable:
            break
        if not writable:
            continue
        try:
            sent += sock.send(chunk)  # a partial send only corrupts framing after the cap
        except BlockingIOError:
            continue
        except (BrokenPipeError, ConnectionResetError):
            break
    sock.setblocking(True)
    return sent, read_head(sock, timeout=5)


def test_an_endless_chunked_body_is_cut_off_at_the_cap_and_the_server_stays_up(
    settings: Settings,
) -> None:
    with serving(settings) as base:
        started = time.monotonic()
        with connect(base) as sock:
            sock.sendall(
                b"POST /api/auth/login HTTP/1.1\r\nHost: draxis\r\n"
                b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            sent, head = stream_until_answered(sock, limit=48 * MiB)
        assert head.startswith(b"HTTP/1.1 413 "), f"{sent // MiB} MiB sent, answer {head[:100]!r}"
        assert time.monotonic() - started < 30
        for _ in range(3):
            assert httpx.get(f"{base}/health").status_code == 200


def body(size: int) -> Iterator[bytes]:
    sent = 0
    while sent < size:
        yield b" " * CHUNK
        sent += CHUNK


def test_json_routes_refuse_bodies_over_the_global_cap_as_problems(
    client: TestClient, settings: Settings
) -> None:
    big = b'{"email": "a@example.test", "password": "' + b"x" * (settings.max_body_bytes) + b'"}'
    declared = client.post(
        "/api/auth/login", content=big, headers={"Content-Type": "application/json"}
    )
    assert declared.status_code == 413, declared.text
    assert declared.headers["content-type"] == "application/problem+json"
    assert "1 MiB" in declared.json()["detail"]
    streamed = client.post(
        "/api/auth/login",
        content=body(settings.max_body_bytes + CHUNK),
        headers={"Content-Type": "application/json"},
    )
    assert streamed.status_code == 413, streamed.text
    assert streamed.headers["content-type"] == "application/problem+json"
    # At the cap, the body is read and judged as usual.
    within = client.post(
        "/api/auth/login",
        content=body(settings.max_body_bytes - CHUNK),
        headers={"Content-Type": "application/json"},
    )
    assert within.status_code == 422, within.text


def test_an_upload_route_takes_its_larger_cap_and_no_more(
    client: TestClient, settings: Settings, tenant_a: TenantFixture
) -> None:
    admin = bearer(login(client, tenant_a.user_email)["access_token"])
    words = b"".join(b"Clause %d: backups are kept for 35 days.\n" % i for i in range(60_000))
    assert settings.max_body_bytes < len(words) < settings.max_upload_body_bytes
    accepted = client.post(
        "/api/memory/documents",
        headers=admin,
        files={"file": ("retention.txt", words, "text/plain")},
    )
    assert accepted.status_code == 201, accepted.text[:300]
    multipart = b"--b\r\nContent-Disposition: form-data; name=file; filename=x.txt\r\n\r\n"
    refused = client.post(
        "/api/memory/documents",
        headers={**admin, "Content-Type": "multipart/form-data; boundary=b"},
        content=iter([multipart, *body(settings.max_upload_body_bytes + CHUNK)]),
    )
    assert refused.status_code == 413, refused.text
    assert refused.headers["content-type"] == "application/problem+json"

"""Security headers: Permissions-Policy on every answer, HSTS only over https.

HTTPS is the connection's own scheme, or X-Forwarded-Proto when DRAXIS_TRUSTED_PROXY_HOPS vouches
for it; a client on loopback cannot claim it.
"""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

from api.main import create_app
from draxis.settings import Settings
from tests.live import serving

HSTS = "Strict-Transport-Security"


def test_https_answers_carry_hsts_and_every_answer_a_permissions_policy(
    settings: Settings,
) -> None:
    app = create_app(settings)
    with TestClient(app, base_url="https://testserver") as tls:
        for path in ("/health", "/api/me", "/api/no-such-route"):
            answer = tls.get(path)
            assert answer.headers[HSTS] == "max-age=31536000; includeSubDomains", path
            assert "camera=()" in answer.headers["Permissions-Policy"], path
            assert "geolocation=()" in answer.headers["Permissions-Policy"], path
    with TestClient(app, base_url="http://testserver") as plain:
        answer = plain.get("/health", headers={"X-Forwarded-Proto": "https"})
        assert HSTS not in answer.headers
        assert "microphone=()" in answer.headers["Permissions-Policy"]


def test_forwarded_proto_counts_only_behind_a_trusted_proxy(settings: Settings) -> None:
    untrusted = settings.model_copy(update={"trusted_proxy_hops": 0})
    with serving(untrusted) as base:
        answer = httpx.get(f"{base}/health", headers={"X-Forwarded-Proto": "https"})
        assert answer.status_code == 200
        assert HSTS not in answer.headers
        assert "Permissions-Policy" in answer.headers
    trusted = settings.model_copy(update={"trusted_proxy_hops": 1})
    with serving(trusted) as base:
        answer = httpx.get(f"{base}/health", headers={"X-Forwarded-Proto": "https"})
        assert answer.headers[HSTS] == "max-age=31536000; includeSubDomains"
        assert HSTS not in httpx.get(f"{base}/health").headers


def test_hsts_can_be_turned_off(settings: Settings) -> None:
    off = settings.model_copy(update={"hsts_max_age_seconds": 0})
    with TestClient(create_app(off), base_url="https://testserver") as tls:
        answer = tls.get("/health")
        assert HSTS not in answer.headers
        assert "Permissions-Policy" in answer.headers


def test_the_scheme_header_has_its_own_hop_count(settings: Settings) -> None:
    """Google's load balancer appends to X-Forwarded-For (two trusted entries) but sets
    X-Forwarded-Proto once: with the proxy hops alone, HSTS would never be sent behind it."""
    behind_lb = settings.model_copy(update={"trusted_proxy_hops": 2, "trusted_proto_hops": 1})
    with serving(behind_lb) as base:
        answer = httpx.get(
            f"{base}/health",
            headers={"X-Forwarded-For": "203.0.113.9, 130.211.0.1", "X-Forwarded-Proto": "https"},
        )
        assert answer.headers[HSTS] == "max-age=31536000; includeSubDomains"
        spoofed = httpx.get(
            f"{base}/health", headers={"X-Forwarded-Proto": "https, http"}
        )  # the load balancer's own entry (the last) says http
        assert HSTS not in spoofed.headers
    same_count = settings.model_copy(update={"trusted_proxy_hops": 2})
    with serving(same_count) as base:
        answer = httpx.get(f"{base}/health", headers={"X-Forwarded-Proto": "https"})
        assert HSTS not in answer.headers

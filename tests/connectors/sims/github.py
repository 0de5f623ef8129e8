"""A synthetic GitHub organization's security alerts at GitHub's documented limits.

As docs.github.com documents them: ``per_page`` ≤ 100 (more is a 422), pages linked by an RFC
8288 ``Link: <...>; rel="next"`` header; secret-scanning alerts carry the literal ``secret``
unless ``hide_secret=true``, and list generic patterns only when named in ``secret_type``; every
answer carries ``x-ratelimit-limit``, ``-remaining``, ``-used`` and ``-reset`` (5,000 requests an
hour for a token), and an exhausted budget answers 403 with ``x-ratelimit-remaining: 0``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from tests.connectors.sims.core import Bucket, SimRequest, SimResponse

SEVERITIES = ("critical", "high", "medium", "low", None)


@dataclass
class GitHubSim:
    """`alerts` open alerts of each kind (and a tenth as many generic secret alerts); alert i is
    severity SEVERITIES[i % 5] (Dependabot: never None), created `i % 90` days before
    2026-11-26."""

    alerts: int
    org: str = "acme-corp"
    rate_limit: int = 5000
    clock: Callable[[], float] = time.time
    bucket: Bucket = field(init=False)
    secrets_revealed: int = 0

    def __post_init__(self) -> None:
        self.bucket = Bucket(self.rate_limit, 3600.0, self.clock)

    def _created(self, i: int) -> str:
        return f"2026-{8 + (i % 90) // 31:02d}-{1 + (i % 90) % 28:02d}T09:00:00Z"

    def _record(self, kind: str, i: int, generic: bool) -> dict[str, Any]:
        record: dict[str, Any] = {"number": i + 1, "state": "open", "created_at": self._created(i)}
        if kind == "code-scanning":
            record["rule"] = {"id": f"rule-{i % 7}", "security_severity_level": SEVERITIES[i % 5]}
        elif kind == "dependabot":
            record["security_advisory"] = {"severity": SEVERITIES[i % 4] or "low"}
        else:
            record["secret_type"] = "rsa_private_key" if generic else "github_personal_access_token"
        return record

    def handle(self, request: SimRequest) -> SimResponse:
        allowed, remaining, reset = self.bucket.take()
        limits = {
            "x-ratelimit-limit": str(self.rate_limit),
            "x-ratelimit-remaining": str(remaining),
            "x-ratelimit-used": str(self.bucket.used),
            "x-ratelimit-reset": str(int(reset)),
        }
        if not allowed:
            return SimResponse(403, {"message": "API rate limit exceeded"}, limits)
        prefix = f"/orgs/{self.org}/"
        kind = request.path.removeprefix(prefix).removesuffix("/alerts")
        if kind not in {"code-scanning", "secret-scanning", "dependabot"}:
            return SimResponse(404, {"message": "Not Found"}, limits)
        per_page = request.int_param("per_page", 30)
        if per_page > 100:
            return SimResponse(422, {"message": "per_page must be at most 100"}, limits)
        page = request.int_param("page", 1)
        generic = kind == "secret-scanning" and "secret_type" in request.query
        total = self.alerts // 10 if generic else self.alerts
        start = (page - 1) * per_page
        records = [
            self._record(kind, i, generic) for i in range(start, min(total, start + per_page))
        ]
        if kind == "secret-scanning" and request.query.get("hide_secret") != "true":
            for record in records:
                record["secret"] = "ghp_" + "x" * 36
            self.secrets_revealed += len(records)
        if generic:
            for record in records:
                record["number"] += self.alerts
        if start + per_page < total:
            query = urlencode({**request.query, "page": page + 1})
            limits["Link"] = f'<https://api.github.com{request.path}?{query}>; rel="next"'
        return SimResponse(200, records, limits)

"""A synthetic CrowdStrike Falcon tenant at its documented limits.

Limits enforced, as CrowdStrike documents them (API reference and FalconPy Service Collections):
offset queries refuse ``offset + limit > 10000`` with a 400; QueryDevicesByFilter(Scroll) and
Spotlight take ``limit`` ≤ 5000, PostCombinedAlertsV1 ``limit`` ≤ 1000; PostDeviceDetailsV2
takes ≤ 5000 ids and PostEntitiesAlertsV2 ≤ 1000; every answer carries ``X-RateLimit-Limit`` and
``X-RateLimit-Remaining`` (6000 a minute per API client by default), and a 429 carries
``X-RateLimit-RetryAfter`` as an epoch second.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tests.connectors.sims.core import Bucket, SimRequest, SimResponse, position, token

OFFSET_CAP = 10_000
BANDS = ("Informational", "Low", "Medium", "High", "Critical")


def _error(status: int, message: str) -> SimResponse:
    return SimResponse(
        status, {"meta": {}, "resources": [], "errors": [{"code": status, "message": message}]}
    )


@dataclass
class FalconSim:
    """`hosts` hosts, `alerts` open alerts and `vulns` Spotlight records, generated from their
    index: host i is stale when i % 10 == 0, in reduced functionality when i % 50 == 0, without
    an applied prevention policy when i % 20 == 0; alert i is band BANDS[i % 5], status new
    when i is even, created 10 hours before `now`; vuln i is suppressed when i % 4 == 0."""

    hosts: int
    alerts: int
    vulns: int = 0
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 26, 12, 0))
    rate_limit: int = 6000
    clock: Callable[[], float] = time.time
    bucket: Bucket = field(init=False)

    def __post_init__(self) -> None:
        self.bucket = Bucket(self.rate_limit, 60.0, self.clock)

    # -- records

    def host(self, i: int) -> dict[str, object]:
        seen = self.now - (timedelta(days=30) if i % 10 == 0 else timedelta(hours=1))
        return {
            "device_id": f"d{i:06d}",
            "last_seen": seen.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "reduced_functionality_mode": "yes" if i % 50 == 0 else "no",
            "device_policies": {"prevention": {"applied": i % 20 != 0, "policy_id": "p1"}},
        }

    def alert(self, i: int) -> dict[str, object]:
        created = self.now - timedelta(hours=10)
        return {
            "composite_id": f"c1:ind:d{i:06d}:a{i}",
            "status": "new" if i % 2 == 0 else "in_progress",
            "severity": 10 + 20 * (i % 5),
            "severity_name": BANDS[i % 5],
            "created_timestamp": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        }

    def vuln(self, i: int) -> dict[str, object]:
        return {
            "id": f"v{i}",
            "aid": f"d{i:06d}",
            "status": "open",
            "created_timestamp": "2026-09-01T00:00:00Z",
            "cve": {"id": f"CVE-2026-{i:05d}", "severity": "CRITICAL"},
            "suppression_info": {"is_suppressed": i % 4 == 0},
        }

    # -- the API

    def handle(self, request: SimRequest) -> SimResponse:
        allowed, remaining, reset = self.bucket.take()
        limits = {
            "X-RateLimit-Limit": str(self.rate_limit),
            "X-RateLimit-Remaining": str(remaining),
        }
        if not allowed:
            answer = _error(429, "API rate limit exceeded.")
            answer.headers.update(limits, **{"X-RateLimit-RetryAfter": str(int(reset) + 1)})
            return answer
        answer = self._route(request)
        answer.headers.update(limits)
        return answer

    def _route(self, request: SimRequest) -> SimResponse:
        route = (request.method, request.path)
        if route == ("POST", "/oauth2/token"):
            return SimResponse(
                201, {"access_token": "sim-token", "token_type": "bearer", "expires_in": 1799}
            )
        if route == ("GET", "/devices/queries/devices/v1"):
            return self._offset_query(request, self.hosts, 5000, lambda i: f"d{i:06d}")
        if route == ("GET", "/alerts/queries/alerts/v2"):
            return self._offset_query(
                request, self.alerts, 10_000, lambda i: self.alert(i)["composite_id"]
            )
        if route == ("GET", "/devices/queries/devices-scroll/v1"):
            return self._scroll(request)
        if route == ("POST", "/devices/entities/devices/v2"):
            return self._entities(request, "ids", 5000, lambda key: self.host(int(key[1:])))
        if route == ("POST", "/alerts/entities/alerts/v2"):
            return self._entities(
                request, "composite_ids", 1000, lambda key: self.alert(int(key.rsplit(":a", 1)[1]))
            )
        if route == ("POST", "/alerts/combined/alerts/v1"):
            body = request.json()
            return self._after_page(
                body.get("after"),
                int(body.get("limit", 100)),
                1000,
                self.alerts,
                self.alert,
                "alerts",
            )
        if route == ("GET", "/spotlight/combined/vulnerabilities/v1"):
            return self._after_page(
                request.query.get("after"),
                request.int_param("limit", 100),
                5000,
                self.vulns,
                self.vuln,
                "vulns",
            )
        return _error(404, f"no route {request.method} {request.path}")

    def _offset_query(
        self, request: SimRequest, total: int, max_limit: int, key: Callable[[int], object]
    ) -> SimResponse:
        offset, limit = request.int_param("offset", 0), request.int_param("limit", 100)
        if limit > max_limit:
            return _error(400, f"limit must be <= {max_limit}")
        if offset + limit > OFFSET_CAP:
            return _error(400, f"Invalid offset + limit: must be <= {OFFSET_CAP}")
        ids = [key(i) for i in range(offset, min(total, offset + limit))]
        meta = {"pagination": {"offset": offset, "limit": limit, "total": total}}
        return SimResponse(200, {"meta": meta, "resources": ids, "errors": []})

    def _scroll(self, request: SimRequest) -> SimResponse:
        limit = request.int_param("limit", 100)
        if limit > 5000:
            return _error(400, "limit must be <= 5000")
        try:
            start = position("scroll", request.query.get("offset"))
        except ValueError:
            return _error(400, "invalid offset token")
        ids = [f"d{i:06d}" for i in range(start, min(self.hosts, start + limit))]
        # Falcon hands out a token on every page, the last included; the total says when to stop.
        meta = {
            "pagination": {
                "offset": token("scroll", start + len(ids)),
                "expires_at": 1796300000000000000,
                "limit": limit,
                "total": self.hosts,
            }
        }
        return SimResponse(200, {"meta": meta, "resources": ids, "errors": []})

    def _entities(
        self, request: SimRequest, key: str, cap: int, record: Callable[[str], dict[str, object]]
    ) -> SimResponse:
        ids = request.json().get(key, [])
        if len(ids) > cap:
            return _error(400, f"at most {cap} {key} a request")
        return SimResponse(
            200, {"meta": {}, "resources": [record(str(i)) for i in ids], "errors": []}
        )

    def _after_page(
        self,
        after: str | None,
        limit: int,
        cap: int,
        total: int,
        record: Callable[[int], dict[str, object]],
        kind: str,
    ) -> SimResponse:
        if limit > cap:
            return _error(400, f"limit must be <= {cap}")
        try:
            start = position(kind, after)
        except ValueError:
            return _error(400, "invalid after token")
        resources = [record(i) for i in range(start, min(total, start + limit))]
        end = start + len(resources)
        meta = {
            "pagination": {
                "limit": limit,
                "total": total,
                "after": token(kind, end) if end < total else "",
            }
        }
        return SimResponse(200, {"meta": meta, "resources": resources, "errors": []})

"""A synthetic Microsoft Defender for Endpoint tenant at its documented limits.

As Microsoft Learn documents them ("List machines API", "List alerts API", "List
vulnerabilities"): ``$top`` ≤ 10,000 for machines and alerts and ≤ 8,000 for vulnerabilities
(a larger ``$top`` is refused with a 400), ``$skip``, ``$filter`` on the documented fields; a
tenant with no machines answers 404; 100 calls a minute per API, a 429 carrying
``Retry-After``. ``next_links=False`` leaves ``@odata.nextLink`` out, as reported in the field.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.connectors.sims.core import Bucket, SimRequest, SimResponse

TOP_CAPS = {"/api/machines": 10_000, "/api/alerts": 10_000, "/api/vulnerabilities": 8_000}


def _error(status: int, code: str, message: str) -> SimResponse:
    return SimResponse(status, {"error": {"code": code, "message": message}})


@dataclass
class DefenderSim:
    """Machine i: CanBeOnboarded when i % 25 == 0, else onboarded, its onboardingStatus written
    "Onboarded", "onboarded" (i even) or left out (i % 3 == 0); healthStatus Inactive when
    i % 10 == 0; exposureLevel High when i % 5 == 0. Alert i: High when i is even, Resolved
    when i % 3 == 0. Vulnerability i: Critical, exposed on i % 3 machines, a public exploit when
    i is even."""

    machines: int
    alerts: int = 0
    vulns: int = 0
    next_links: bool = True
    rate_limit: int = 100
    clock: Callable[[], float] = time.time
    buckets: dict[str, Bucket] = field(default_factory=dict)

    def machine(self, i: int) -> dict[str, Any]:
        record: dict[str, Any] = {
            "id": f"{i:040x}",
            "computerDnsName": f"ws-{i}.contoso.com",
            "healthStatus": "Inactive" if i % 10 == 0 else "Active",
            "exposureLevel": "High" if i % 5 == 0 else "Low",
        }
        if i % 25 == 0:
            record["onboardingStatus"] = "CanBeOnboarded"
        elif i % 3 != 0:
            record["onboardingStatus"] = "onboarded" if i % 2 == 0 else "Onboarded"
        return record

    def alert(self, i: int) -> dict[str, Any]:
        return {
            "id": f"da{i}",
            "severity": "High" if i % 2 == 0 else "Medium",
            "status": "Resolved" if i % 3 == 0 else "New",
        }

    def vuln(self, i: int) -> dict[str, Any]:
        return {
            "id": f"CVE-2026-{i:05d}",
            "severity": "Critical",
            "exposedMachines": i % 3,
            "publicExploit": i % 2 == 0,
        }

    def handle(self, request: SimRequest) -> SimResponse:
        if request.path.endswith("/oauth2/v2.0/token"):
            return SimResponse(
                200, {"token_type": "Bearer", "expires_in": 3599, "access_token": "sim"}
            )
        bucket = self.buckets.setdefault(request.path, Bucket(self.rate_limit, 60.0, self.clock))
        allowed, _, reset = bucket.take()
        if not allowed:
            answer = _error(429, "TooManyRequests", "Rate limit is exceeded.")
            answer.headers["Retry-After"] = str(max(1, math.ceil(reset - self.clock())))
            return answer
        if request.path == "/api/exposureScore":
            if not self.machines:
                return _error(404, "ResourceNotFound", "Exposure score not found")
            return SimResponse(200, {"time": "2026-11-26T11:00:00Z", "score": 41.38})
        if request.path not in TOP_CAPS:
            return _error(404, "ResourceNotFound", f"no route {request.path}")
        return self._list(request)

    def _list(self, request: SimRequest) -> SimResponse:
        top = request.int_param("$top", TOP_CAPS[request.path])
        skip = request.int_param("$skip", 0)
        if top > TOP_CAPS[request.path]:
            return _error(400, "InvalidRequest", f"$top must be at most {TOP_CAPS[request.path]}")
        rows = self._matching(request.path, request.query.get("$filter", ""))
        if not rows:
            return _error(404, "ResourceNotFound", "No items found")
        page = rows[skip : skip + top]
        body: dict[str, Any] = {"@odata.context": "sim", "value": page}
        if self.next_links and skip + top < len(rows):
            body["@odata.nextLink"] = f"https://sim{request.path}?$top={top}&$skip={skip + top}"
        return SimResponse(200, body)

    def _matching(self, path: str, odata: str) -> list[dict[str, Any]]:
        if path == "/api/machines":
            rows = [self.machine(i) for i in range(self.machines)]
            if "onboardingStatus eq 'Onboarded'" in odata:
                rows = [
                    r for r in rows if r.get("onboardingStatus", "Onboarded").lower() == "onboarded"
                ]
            return rows
        if path == "/api/alerts":
            rows = [self.alert(i) for i in range(self.alerts)]
            if "severity eq 'High'" in odata:
                rows = [r for r in rows if r["severity"] == "High"]
            if "status ne 'Resolved'" in odata:
                rows = [r for r in rows if r["status"] != "Resolved"]
            return rows
        return [self.vuln(i) for i in range(self.vulns)]

"""The production drill's Google Cloud side, over REST: clone Cloud SQL at a point in time,
find the clone's private IP, delete it afterwards, and store the drill's record in GCS.

Authenticated with the Cloud Run job's service account token from the metadata server (as
draxis/secrets.py does). Tests drive it through an httpx transport.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx
from psycopg.conninfo import make_conninfo

from draxis.drill.cluster import DrillError

SQLADMIN = "https://sqladmin.googleapis.com"
STORAGE = "https://storage.googleapis.com"
METADATA = "http://metadata.google.internal"
_TOKEN_PATH = "/computeMetadata/v1/instance/service-accounts/default/token"  # noqa: S105
RECORD_PREFIX = "restore-drill/"
LATEST = RECORD_PREFIX + "latest.json"


def rfc3339_ms(at: datetime) -> str:
    """UTC, millisecond precision (what Cloud SQL's pointInTime takes), truncated."""
    at = at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


class CloudSqlClone:
    """Clones `instance` of `project` at a point in time; the copy is reached like the source."""

    def __init__(
        self,
        *,
        project: str,
        instance: str,
        bucket: str,
        source_url: str,
        transport: httpx.BaseTransport | None = None,
        sqladmin: str = SQLADMIN,
        storage: str = STORAGE,
        metadata: str = METADATA,
        poll_seconds: float = 10.0,
        timeout_seconds: float = 3600.0,
    ) -> None:
        self.project, self.instance, self.bucket = project, instance, bucket
        self.source_url = source_url
        self.sqladmin, self.storage, self.metadata = sqladmin, storage, metadata
        self.poll_seconds, self.timeout_seconds = poll_seconds, timeout_seconds
        self.client = httpx.Client(timeout=60, transport=transport)
        self.clone_name: str | None = None

    def _headers(self) -> dict[str, str]:
        token = self.client.get(self.metadata + _TOKEN_PATH, headers={"Metadata-Flavor": "Google"})
        if token.status_code != 200:
            raise DrillError(f"metadata server refused a token: HTTP {token.status_code}")
        return {"Authorization": f"Bearer {token.json()['access_token']}"}

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.client.request(
            method,
            f"{self.sqladmin}/v1/projects/{self.project}/{path}",
            json=body,
            headers=self._headers(),
        )
        if response.status_code >= 400:
            raise DrillError(
                f"Cloud SQL {method} {path}: HTTP {response.status_code} {response.text}"
            )
        result: dict[str, Any] = response.json()
        return result

    def _wait(self, operation: dict[str, Any], what: str) -> None:
        deadline = time.monotonic() + self.timeout_seconds
        while operation.get("status") != "DONE":
            if time.monotonic() > deadline:
                raise DrillError(f"{what}: operation {operation.get('name')} did not finish")
            time.sleep(self.poll_seconds)
            operation = self._call("GET", f"operations/{operation['name']}")
        errors = (operation.get("error") or {}).get("errors") or []
        if errors:
            detail = "; ".join(str(e.get("message") or e.get("code")) for e in errors)
            raise DrillError(f"{what} failed: {detail}")

    def clone(self, point_in_time: datetime) -> str:
        """Clone the instance at `point_in_time`; return the clone's conninfo."""
        name = f"{self.instance}-drill-{point_in_time.astimezone(UTC):%Y%m%d%H%M%S}"
        context = {
            "kind": "sql#cloneContext",
            "destinationInstanceName": name,
            "pointInTime": rfc3339_ms(point_in_time),
        }
        operation = self._call(
            "POST", f"instances/{self.instance}/clone", {"cloneContext": context}
        )
        self.clone_name = name
        self._wait(operation, f"cloning {self.instance} into {name}")
        described = self._call("GET", f"instances/{name}")
        private = [
            a["ipAddress"] for a in described.get("ipAddresses", []) if a.get("type") == "PRIVATE"
        ]
        if not private:
            raise DrillError(f"the clone {name} has no private IP address")
        return make_conninfo(self.source_url, host=private[0])

    def discard(self) -> None:
        """Delete the clone (it inherits deletion protection: lift it first)."""
        if self.clone_name is None:
            return
        name = self.clone_name
        unprotect = {"settings": {"deletionProtectionEnabled": False}}
        self._wait(self._call("PATCH", f"instances/{name}", unprotect), f"unprotecting {name}")
        self._wait(self._call("DELETE", f"instances/{name}"), f"deleting {name}")
        self.clone_name = None

    def store(self, record: str, finished_at: str) -> None:
        """Write the record as restore-drill/latest.json and a dated copy in the bucket."""
        headers = {**self._headers(), "Content-Type": "application/json"}
        for name in (LATEST, f"{RECORD_PREFIX}{finished_at}.json"):
            response = self.client.post(
                f"{self.storage}/upload/storage/v1/b/{self.bucket}/o"
                f"?uploadType=media&name={quote(name, safe='')}",
                content=record.encode(),
                headers=headers,
            )
            if response.status_code >= 400:
                raise DrillError(
                    f"storing {name} in gs://{self.bucket}: HTTP {response.status_code}"
                )

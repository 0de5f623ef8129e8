"""Google Workspace's application inventory: the third-party apps users granted OAuth access to.

The Admin SDK has no plain list of a domain's apps. Two documented sources name them:

- Directory API ``tokens.list`` (``GET /admin/directory/v1/users/{userKey}/tokens``, scope
  ``admin.directory.user.security``): every token a user issued, but one call per user and no
  domain-wide form, so a 10,000-user domain costs 10,000 calls against the Directory quota on
  every run, and a further delegated scope;
- Reports API ``activities.list`` with ``applicationName=token`` (the OAuth Token audit log,
  developers.google.com/workspace/admin/reports/v1/appendix/activity/token): one domain-wide,
  paged listing under ``admin.reports.audit.readonly``, the scope the failed-login KRI already
  uses.

The connector uses the second: ``GET /admin/reports/v1/activity/users/all/applications/token``
with ``eventName=authorize`` (a user granted an app access: event parameters ``client_id`` and
``app_name``), ``startTime``/``endTime`` spanning the last 179 days — inside the 180 days the
token report keeps ("Reports API: authorization token activity report"), so that an app granted
months ago and in use since is still listed —, ``maxResults`` ≤ 1000 (the documented maximum)
and ``pageToken``/``nextPageToken`` paging; ``items`` is absent when there are no events. An
app is identified by its OAuth ``client_id`` and named by its ``app_name`` (else the client id).
A ``revoke`` event is one user's and says nothing of the others' grants, so revocations are not
subtracted and every listed app is active. What this cannot see: apps authorized more than 179
days ago and never re-authorized since, and domain-wide delegated service accounts (they
authorize no user token).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx

from connectors.base import Application
from connectors.dig import dig, dig_optional
from connectors.errors import UpstreamFailed
from connectors.fields import rfc3339_millis
from connectors.http import VendorHttp

VENDOR = "google-workspace"
AUDIT_PATH = "/admin/reports/v1/activity/users/all/applications/token"
AUDIT_FIELDS = "nextPageToken,items(events(name,parameters(name,value)))"
AUDIT_PAGE = 1000  # activities.list: maxResults maximum
APP_WINDOW_DAYS = 179
APPS_PERMISSION = "admin.reports.audit.readonly (domain-wide delegation)"


def _parameters(event: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for param in dig_optional(event, "parameters", vendor=VENDOR, expect=list) or []:
        value = dig_optional(param, "value", vendor=VENDOR, expect=str)
        if value is not None:
            found[str(dig(param, "name", vendor=VENDOR, expect=str))] = value
    return found


def authorizations(body: Any) -> Iterator[Application]:
    """The apps named by the ``authorize`` events of one page of the token audit log."""
    for item in dig_optional(body, "items", vendor=VENDOR, expect=list) or []:
        for event in dig(item, "events", vendor=VENDOR, expect=list):
            if dig(event, "name", vendor=VENDOR, expect=str) != "authorize":
                continue
            params = _parameters(event)
            client_id = params.get("client_id", "").strip()
            if not client_id:
                continue
            name = params.get("app_name", "").strip()
            yield Application(app_id=client_id, name=name or client_id, active=True)


def list_applications(http: VendorHttp, auth: httpx.Auth, now: datetime) -> list[Application]:
    """Every app users authorized in the window, once each (the newest event's name: the log
    lists events newest first)."""
    since = now - timedelta(days=APP_WINDOW_DAYS)
    apps: dict[str, Application] = {}
    token: str | None = None
    for _ in range(http.policy.max_pages):
        params: dict[str, Any] = {
            "eventName": "authorize",
            "startTime": rfc3339_millis(since),
            "endTime": rfc3339_millis(now),
            "maxResults": AUDIT_PAGE,
            "fields": AUDIT_FIELDS,
        }
        if token:
            params["pageToken"] = token
        body = http.get_json(AUDIT_PATH, params=params, auth=auth)
        for app in authorizations(body):
            apps.setdefault(app.app_id, app)
        token = dig_optional(body, "nextPageToken", vendor=VENDOR, expect=str)
        if not token:
            return list(apps.values())
    raise UpstreamFailed(f"{VENDOR}: {AUDIT_PATH} still had a next page")

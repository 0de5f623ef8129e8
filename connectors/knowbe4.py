"""KnowBe4 (KSAT Reporting API): phishing click rate, phish-prone percentage, training completion.

Auth: a Reporting API token (Account Settings > Account Integrations > API > Reporting API),
sent as ``Authorization: Bearer <token>`` (developer.knowbe4.com, "Authentication"). The API is
available to Platinum and Diamond subscriptions.

Base URL: the account's region, ``https://{us|eu|ca|uk|de}.api.knowbe4.com`` (developer
.knowbe4.com, "Base URL": an account on training.knowbe4.com uses us, on eu.knowbe4.com eu, ...).

Endpoints (developer.knowbe4.com/rest/reporting):

- ``GET /v1/account``: the probe.
- ``GET /v1/users?status=active``: fields read ``id``, ``phish_prone_percentage`` (a percentage,
  null for a user never phished).
- ``GET /v1/phishing/security_tests`` (all phishing security tests): fields read ``pst_id``,
  ``started_at``, ``delivered_count``, ``clicked_count``.
- ``GET /v1/training/enrollments?exclude_archived_users=true``: fields read ``enrollment_id``,
  ``status`` (``Passed``, ``Completed``, ``In Progress``, ``Not Started``, ``Past Due``) and
  ``user.id``.

Pagination ("Pagination"): ``page`` (from 1) and ``per_page`` (≤ 500); a page shorter than
``per_page`` is the last. Rate limits ("Rate Limiting"): a daily request budget (2,000 plus the
number of licensed users) and burst limits (4 requests a second, 50 a minute); excess gets 429,
retried by the HTTP kit (honouring ``Retry-After`` when sent, else backing off). The docs'
rate-limit page was only partly available to us; the figures follow KnowBe4's public docs.

The account-level phish-prone percentage is not in ``/v1/account``'s documented fields, so the
connector reports the mean of the active users' ``phish_prone_percentage``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from connectors.auth import BearerToken
from connectors.base import (
    AuthType,
    ConfigField,
    ConnectorContext,
    KriSpec,
    ProbeResult,
    RunResult,
    SourceType,
)
from connectors.dig import dig, dig_optional
from connectors.errors import ConnectorError, UpstreamFailed
from connectors.fields import (
    Observation,
    parse_time,
    pct,
    require_config,
    require_secret,
)
from connectors.http import VendorHttp
from connectors.kri_groups import KriGroups

VENDOR = "knowbe4"
REGIONS = ("us", "eu", "ca", "uk", "de")
PER_PAGE = 500
PHISHING_WINDOW = timedelta(days=90)
COMPLETED = frozenset({"Passed", "Completed"})
PAST_DUE = "Past Due"

KRIS: tuple[KriSpec, ...] = (
    KriSpec(
        "phishing_click_rate_pct",
        "KnowBe4 phishing click rate (90 days)",
        "%",
        "higher_is_worse",
        5,
        10,
        "Sum of clicked_count over the sum of delivered_count of the phishing security tests "
        "started in the 90 days before the run.",
    ),
    KriSpec(
        "phish_prone_pct",
        "KnowBe4 phish-prone percentage",
        "%",
        "higher_is_worse",
        10,
        20,
        "Mean phish_prone_percentage of active users who have one.",
    ),
    KriSpec(
        "training_completion_pct",
        "KnowBe4 training completion",
        "%",
        "lower_is_worse",
        90,
        75,
        "Training enrollments (archived users excluded) in status Passed or Completed, as a "
        "share of all enrollments.",
    ),
    KriSpec(
        "training_overdue_enrollments",
        "KnowBe4 overdue training enrollments",
        "count",
        "higher_is_worse",
        10,
        25,
        "Training enrollments in status Past Due.",
    ),
    KriSpec(
        "users_never_completed_training",
        "KnowBe4 users who never completed training",
        "count",
        "higher_is_worse",
        10,
        25,
        "Active users with no training enrollment in status Passed or Completed.",
    ),
)


# --- formulas (pure) ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PhishingTest:
    started_at: datetime | None
    delivered: int
    clicked: int


@dataclass(frozen=True, slots=True)
class Enrollment:
    user_id: int
    status: str


def click_rate(tests: Sequence[PhishingTest], now: datetime) -> tuple[int, int, int]:
    """(clicked, delivered, tests) over the tests started in the 90 days before `now`."""
    cutoff = now - PHISHING_WINDOW
    recent = [t for t in tests if t.started_at is not None and cutoff <= t.started_at <= now]
    return sum(t.clicked for t in recent), sum(t.delivered for t in recent), len(recent)


def mean_phish_prone(values: Sequence[float | None]) -> tuple[float | None, int]:
    known = [v for v in values if v is not None]
    if not known:
        return None, 0
    return round(sum(known) / len(known), 2), len(known)


def completion(enrollments: Sequence[Enrollment]) -> tuple[int, int]:
    return sum(1 for e in enrollments if e.status in COMPLETED), len(enrollments)


def overdue(enrollments: Sequence[Enrollment]) -> int:
    return sum(1 for e in enrollments if e.status == PAST_DUE)


def never_completed(user_ids: Sequence[int], enrollments: Sequence[Enrollment]) -> int:
    done = {e.user_id for e in enrollments if e.status in COMPLETED}
    return sum(1 for u in set(user_ids) if u not in done)


# --- parsing ------------------------------------------------------------------------------------


def _test(raw: Any) -> PhishingTest:
    dig(raw, "pst_id", vendor=VENDOR, expect=int)
    started = dig_optional(raw, "started_at", vendor=VENDOR, expect=str)
    return PhishingTest(
        started_at=parse_time(started, "started_at", vendor=VENDOR) if started else None,
        delivered=dig(raw, "delivered_count", vendor=VENDOR, expect=int),
        clicked=dig(raw, "clicked_count", vendor=VENDOR, expect=int),
    )


def _enrollment(raw: Any) -> Enrollment:
    dig(raw, "enrollment_id", vendor=VENDOR, expect=int)
    return Enrollment(
        user_id=dig(raw, "user.id", vendor=VENDOR, expect=int),
        status=dig(raw, "status", vendor=VENDOR, expect=str),
    )


def pages(http: VendorHttp, path: str, params: Mapping[str, Any] | None = None) -> Iterator[Any]:
    """Items of every page of a KnowBe4 list (``page``/``per_page``; a short page is the last)."""
    for page in range(1, http.policy.max_pages + 1):
        query = {**(params or {}), "page": page, "per_page": PER_PAGE}
        items = dig(http.get_json(path, params=query), "", vendor=VENDOR, expect=list)
        yield from items
        if len(items) < PER_PAGE:
            return
    raise UpstreamFailed(f"{VENDOR}: {path} still had a next page after {page} pages")


# --- the connector ------------------------------------------------------------------------------


class KnowBe4Connector:
    vendor_id = VENDOR
    source_type: SourceType = "vendor_api"
    display_name = "KnowBe4"
    auth_type: AuthType = "api_key"
    base_url: str | None = None
    config_fields: tuple[ConfigField, ...] = (
        ConfigField(
            "region",
            "Account region",
            kind="choice",
            choices=REGIONS,
            default="us",
            help="us for training.knowbe4.com, eu for eu.knowbe4.com, and so on.",
        ),
        ConfigField(
            "api_key",
            "Reporting API token",
            kind="secret",
            help="Account Settings > Account Integrations > API > Reporting API.",
        ),
    )
    kris: tuple[KriSpec, ...] = KRIS

    def _client(self, ctx: ConnectorContext) -> VendorHttp:
        region = require_config(ctx, "region", VENDOR, "account region").lower()
        if region not in REGIONS:
            raise ConnectorError(f"{VENDOR}: unknown region {region!r} (one of {REGIONS})")
        token = require_secret(ctx, "api_key", VENDOR, "Reporting API token")
        return ctx.http_env.client(
            vendor=VENDOR,
            base_url=f"https://{region}.api.knowbe4.com",
            auth=BearerToken(token),
            headers={"Accept": "application/json"},
        )

    def test(self, ctx: ConnectorContext) -> ProbeResult:
        try:
            with self._client(ctx) as http:
                name = dig(http.get_json("/v1/account"), "name", vendor=VENDOR, expect=str)
        except ConnectorError as exc:
            return ProbeResult(False, str(exc))
        return ProbeResult(True, f"{VENDOR}: connected to account {name!r}")

    def run(self, ctx: ConnectorContext) -> RunResult:
        now = ctx.clock()
        rows: list[Observation] = []
        groups = KriGroups(VENDOR)
        warnings = groups.warnings
        user_ids: list[int] | None = None

        def fetch_users(http: VendorHttp) -> int:
            nonlocal user_ids
            raw = list(pages(http, "/v1/users", {"status": "active"}))
            user_ids = [int(dig(u, "id", vendor=VENDOR, expect=int)) for u in raw]
            ppp = [
                dig_optional(u, "phish_prone_percentage", vendor=VENDOR, expect=float) for u in raw
            ]
            mean, known = mean_phish_prone(ppp)
            if mean is None:
                warnings.append(f"{VENDOR}: no user has been phished, phish_prone_pct not computed")
            else:
                rows.append(
                    ("phish_prone_pct", mean, now, {"users": known, "active_users": len(raw)})
                )
            return len(raw)

        with self._client(ctx) as http:
            groups.attempt(
                ("phish_prone_pct", "users_never_completed_training"), lambda: fetch_users(http)
            )
            groups.attempt(
                ("phishing_click_rate_pct",), lambda: self._phishing(http, now, rows, warnings)
            )
            groups.attempt(
                (
                    "training_completion_pct",
                    "training_overdue_enrollments",
                    "users_never_completed_training",
                ),
                lambda: self._training(http, now, user_ids, rows, warnings),
            )
        return groups.result(rows)

    # -- fetching

    def _phishing(
        self, http: VendorHttp, now: datetime, rows: list[Observation], warnings: list[str]
    ) -> int:
        tests = [_test(t) for t in pages(http, "/v1/phishing/security_tests")]
        clicked, delivered, recent = click_rate(tests, now)
        value = pct(clicked, delivered)
        if value is None:
            warnings.append(
                f"{VENDOR}: no phishing email delivered in the last 90 days, "
                "phishing_click_rate_pct not computed"
            )
        else:
            rows.append(
                (
                    "phishing_click_rate_pct",
                    value,
                    now,
                    {"numerator": clicked, "denominator": delivered, "tests": recent},
                )
            )
        return len(tests)

    def _training(
        self,
        http: VendorHttp,
        now: datetime,
        user_ids: Sequence[int] | None,
        rows: list[Observation],
        warnings: list[str],
    ) -> int:
        enrollments = [
            _enrollment(e)
            for e in pages(http, "/v1/training/enrollments", {"exclude_archived_users": "true"})
        ]
        done, total = completion(enrollments)
        value = pct(done, total)
        if value is None:
            warnings.append(
                f"{VENDOR}: no training enrollments, training_completion_pct not computed"
            )
        else:
            rows.append(
                ("training_completion_pct", value, now, {"numerator": done, "denominator": total})
            )
        rows.append(
            (
                "training_overdue_enrollments",
                float(overdue(enrollments)),
                now,
                {"enrollments": total},
            )
        )
        if user_ids is not None:
            rows.append(
                (
                    "users_never_completed_training",
                    float(never_completed(user_ids, enrollments)),
                    now,
                    {"active_users": len(set(user_ids))},
                )
            )
        return len(enrollments)


CONNECTOR = KnowBe4Connector()

"""Integration drift: what the identity providers see of a vendor versus what it attested. Pure.

A vendor's apps are the active apps the tenant's identity connectors reported
(`tenant.identity_app`) whose name contains one of the vendor's `app_match` patterns, or its
name when it has none (case-insensitive substring). An app is attested when its normalised name
contains a normalised attested integration (so "Slack" covers "Slack Enterprise Grid");
an attested integration is confirmed when one of the vendor's apps contains it.

- an app detected but not attested → `drift:undisclosed:<normalised app name>`, high (medium
  for a tier 3 vendor);
- an attested integration no app confirms → `drift:unconfirmed:<normalised name>`, low.

`plan` reconciles what holds now with the drift findings already stored: new ones are opened,
ones a user resolved are reopened, open and accepted ones are refreshed (`last_seen_at`), and
open ones that no longer hold are resolved with the reason ("no longer detected", "now attested",
"now detected", "no longer attested"). The caller compares only when the tenant has at least one
identity source with apps: without an identity provider nothing can be detected, so nothing is
planned (stored findings are left as they are).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID

UNDISCLOSED = "drift:undisclosed:"
UNCONFIRMED = "drift:unconfirmed:"
_KEY_MAX = 300
_NON_WORD = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True, slots=True)
class DriftVendor:
    id: UUID
    name: str
    tier: int
    app_match: tuple[str, ...] = ()
    attested: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StoredFinding:
    vendor_id: UUID
    dedupe_key: str
    status: str  # open | resolved | accepted


@dataclass(frozen=True, slots=True)
class DriftFinding:
    vendor_id: UUID
    dedupe_key: str
    severity: str
    title: str
    detail: str


@dataclass(frozen=True, slots=True)
class Resolution:
    vendor_id: UUID
    dedupe_key: str
    reason: str


@dataclass(frozen=True, slots=True)
class DriftPlan:
    opened: tuple[DriftFinding, ...]  # new rows
    reopened: tuple[DriftFinding, ...]  # resolved rows that hold again
    refreshed: tuple[DriftFinding, ...]  # open or accepted rows that still hold
    resolved: tuple[Resolution, ...]  # open rows that no longer hold


def normalise(name: str) -> str:
    """Lower case, each run of other characters one '-', trimmed: "Slack (Prod)" → "slack-prod"."""
    return _NON_WORD.sub("-", name.lower()).strip("-")


def _contains(haystack: str, needle: str) -> bool:
    return bool(needle) and needle in haystack


@dataclass(frozen=True, slots=True)
class _Apps:
    """The tenant's app names and their lower-case forms, lowered once for every vendor: `plan`
    compares each vendor with each app, so this loop is the cost of a run
    (`bench/tprm_kris.py`)."""

    names: tuple[str, ...]
    lowered: tuple[str, ...]


def _apps(apps: Iterable[str]) -> _Apps:
    names = tuple(apps)
    return _Apps(names, tuple(a.lower() for a in names))


def vendor_apps(vendor: DriftVendor, apps: Iterable[str]) -> list[str]:
    """The app names (deduplicated by normalised name, first spelling kept, sorted) that match
    the vendor: one of its `app_match` patterns, else its name, as a case-insensitive substring."""
    return _vendor_apps(vendor, _apps(apps))


def _vendor_apps(vendor: DriftVendor, apps: _Apps) -> list[str]:
    patterns = [p.strip().lower() for p in vendor.app_match if p.strip()] or [vendor.name.lower()]
    hits = {i for p in patterns for i, low in enumerate(apps.lowered) if p in low}
    found: dict[str, str] = {}
    for i in sorted(hits):  # in the apps' order: the first spelling is kept
        found.setdefault(normalise(apps.names[i]), apps.names[i])
    return [found[k] for k in sorted(found) if k]


def vendor_drift(vendor: DriftVendor, apps: Iterable[str]) -> list[DriftFinding]:
    """The drift findings that hold for one vendor given the tenant's detected app names."""
    return _vendor_drift(vendor, _apps(apps))


def _vendor_drift(vendor: DriftVendor, apps: _Apps) -> list[DriftFinding]:
    detected = _vendor_apps(vendor, apps)
    attested = {normalise(a): a for a in vendor.attested if normalise(a)}
    findings: list[DriftFinding] = []
    for app in detected:
        key = normalise(app)
        if any(_contains(key, a) for a in attested):
            continue
        findings.append(
            DriftFinding(
                vendor.id,
                (UNDISCLOSED + key)[:_KEY_MAX],
                "medium" if vendor.tier == 3 else "high",
                f"Undisclosed integration: {app}"[:300],
                f"The identity provider reports the app {app!r} for {vendor.name}, which the"
                " vendor did not attest as an integration.",
            )
        )
    for key, name in sorted(attested.items()):
        if any(_contains(normalise(app), key) for app in detected):
            continue
        findings.append(
            DriftFinding(
                vendor.id,
                (UNCONFIRMED + key)[:_KEY_MAX],
                "low",
                f"Attested integration not detected: {name}"[:300],
                f"{vendor.name} attested the integration {name!r}, but no identity provider"
                " reports a matching app.",
            )
        )
    return findings


def _reason(key: str, vendor: DriftVendor | None, apps: _Apps) -> str:
    if vendor is None:
        return "vendor no longer compared"
    if key.startswith(UNDISCLOSED):
        app = key.removeprefix(UNDISCLOSED)
        still = any(normalise(a) == app for a in _vendor_apps(vendor, apps))
        return "now attested" if still else "no longer detected"
    name = key.removeprefix(UNCONFIRMED)
    attested = any(normalise(a) == name for a in vendor.attested)
    return "now detected" if attested else "no longer attested"


def plan(
    vendors: Sequence[DriftVendor], apps: Sequence[str], stored: Iterable[StoredFinding]
) -> DriftPlan:
    """What to write so that the stored drift findings say what holds now (see the module)."""
    names = _apps(apps)
    holds = {(f.vendor_id, f.dedupe_key): f for v in vendors for f in _vendor_drift(v, names)}
    by_id = {v.id: v for v in vendors}
    existing = {(s.vendor_id, s.dedupe_key): s.status for s in stored}
    opened, reopened, refreshed = [], [], []
    for key, finding in holds.items():
        status = existing.get(key)
        if status is None:
            opened.append(finding)
        elif status == "resolved":
            reopened.append(finding)
        else:
            refreshed.append(finding)
    resolved = [
        Resolution(vendor_id, dedupe_key, _reason(dedupe_key, by_id.get(vendor_id), names))
        for (vendor_id, dedupe_key), status in existing.items()
        if status == "open" and (vendor_id, dedupe_key) not in holds
    ]
    return DriftPlan(tuple(opened), tuple(reopened), tuple(refreshed), tuple(resolved))

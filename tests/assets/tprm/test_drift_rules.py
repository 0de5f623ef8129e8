"""Integration drift rules: matching, normalisation, severities and the reconciliation plan."""

from __future__ import annotations

from uuid import UUID, uuid4

from assets.tprm.drift import (
    DriftVendor,
    StoredFinding,
    normalise,
    plan,
    vendor_apps,
    vendor_drift,
)

SLACK = DriftVendor(uuid4(), "Slack", 2)


def keys(vendor: DriftVendor, apps: list[str]) -> dict[str, str]:
    return {f.dedupe_key: f.severity for f in vendor_drift(vendor, apps)}


def test_normalise() -> None:
    assert normalise("  Slack  (Prod) ") == "slack-prod"
    assert normalise("Acme CRM / EU") == "acme-crm-eu"
    assert normalise("Zoom") == normalise("zoom")
    assert normalise("***") == ""


def test_an_empty_app_match_matches_the_vendor_name_case_insensitively() -> None:
    apps = ["SLACK Enterprise Grid", "slack", "Salesforce", "Slacker News"]
    assert vendor_apps(SLACK, apps) == ["slack", "SLACK Enterprise Grid", "Slacker News"]


def test_app_match_patterns_replace_the_name() -> None:
    vendor = DriftVendor(uuid4(), "Payroll provider", 1, app_match=("gusto", "Payroll SaaS"))
    apps = ["Gusto Payroll", "payroll saas (EU)", "Payroll provider portal", "Okta"]
    assert vendor_apps(vendor, apps) == ["Gusto Payroll", "payroll saas (EU)"]


def test_the_same_app_from_two_providers_is_one_app() -> None:
    assert vendor_apps(SLACK, ["Slack", "slack", "Slack "]) == ["Slack"]


def test_the_first_spelling_is_kept_whichever_pattern_matched_it() -> None:
    """The apps are scanned pattern by pattern (lowered once per plan): a later pattern's
    earlier app still wins the spelling, and an app two patterns match is listed once."""
    vendor = DriftVendor(uuid4(), "Chat", 2, app_match=("zoom", "slack"))
    apps = ["Slack Bot", "Zoom", "SLACK bot", "Zoom Slack bridge"]
    assert vendor_apps(vendor, apps) == ["Slack Bot", "Zoom", "Zoom Slack bridge"]
    many = [DriftVendor(uuid4(), f"Vendor {i:03d}", 1 + i % 3) for i in range(30)]
    names = [f"vendor {i:03d} {kind}" for i in range(0, 40, 2) for kind in ("SSO", "sso")]
    planned = plan(many, names, [])
    assert sorted((f.vendor_id, f.dedupe_key) for f in planned.opened) == sorted(
        (v.id, f.dedupe_key) for v in many for f in vendor_drift(v, names)
    )
    assert len(planned.opened) == 15  # vendors 0, 2, … 28: one app each, two spellings


def test_undisclosed_is_high_but_medium_for_tier_3() -> None:
    assert keys(SLACK, ["Slack (Prod)"]) == {"drift:undisclosed:slack-prod": "high"}
    tier3 = DriftVendor(uuid4(), "Slack", 3)
    assert keys(tier3, ["Slack (Prod)"]) == {"drift:undisclosed:slack-prod": "medium"}
    tier1 = DriftVendor(uuid4(), "Slack", 1)
    assert keys(tier1, ["Slack"]) == {"drift:undisclosed:slack": "high"}


def test_an_attested_integration_covers_apps_that_contain_it() -> None:
    vendor = DriftVendor(uuid4(), "Slack", 2, attested=("SLACK",))
    assert keys(vendor, ["Slack Enterprise Grid", "Slack"]) == {}


def test_an_attested_integration_no_app_confirms_is_low() -> None:
    vendor = DriftVendor(uuid4(), "Slack", 2, attested=("Slack", "Slack Huddles"))
    assert keys(vendor, ["Slack"]) == {"drift:unconfirmed:slack-huddles": "low"}
    assert keys(vendor, []) == {
        "drift:unconfirmed:slack": "low",
        "drift:unconfirmed:slack-huddles": "low",
    }


def test_findings_say_what_and_whom() -> None:
    (finding,) = vendor_drift(SLACK, ["Slack Bot"])
    assert finding.title == "Undisclosed integration: Slack Bot"
    assert "Slack" in finding.detail
    assert finding.vendor_id == SLACK.id


def stored(vendor: DriftVendor, key: str, status: str) -> StoredFinding:
    return StoredFinding(vendor.id, key, status)


def test_plan_opens_new_findings_and_refreshes_held_ones() -> None:
    first = plan([SLACK], ["Slack"], [])
    assert [f.dedupe_key for f in first.opened] == ["drift:undisclosed:slack"]
    assert first.refreshed == first.reopened == ()
    assert first.resolved == ()
    again = plan([SLACK], ["Slack"], [stored(SLACK, "drift:undisclosed:slack", "open")])
    assert again.opened == ()
    assert [f.dedupe_key for f in again.refreshed] == ["drift:undisclosed:slack"]


def test_plan_resolves_with_the_reason() -> None:
    held = [stored(SLACK, "drift:undisclosed:slack", "open")]
    gone = plan([SLACK], ["Zoom"], held)
    assert [(r.dedupe_key, r.reason) for r in gone.resolved] == [
        ("drift:undisclosed:slack", "no longer detected")
    ]
    attested = DriftVendor(SLACK.id, "Slack", 2, attested=("slack",))
    now_attested = plan([attested], ["Slack"], held)
    assert [r.reason for r in now_attested.resolved] == ["now attested"]

    claimed = DriftVendor(SLACK.id, "Slack", 2, attested=("Slack",))
    unconfirmed = [stored(SLACK, "drift:unconfirmed:slack", "open")]
    assert [r.reason for r in plan([claimed], ["Slack"], unconfirmed).resolved] == ["now detected"]
    assert [r.reason for r in plan([SLACK], ["Zoom"], unconfirmed).resolved] == [
        "no longer attested"
    ]


def test_plan_reopens_resolved_and_keeps_accepted() -> None:
    resolved = plan([SLACK], ["Slack"], [stored(SLACK, "drift:undisclosed:slack", "resolved")])
    assert [f.dedupe_key for f in resolved.reopened] == ["drift:undisclosed:slack"]
    accepted = plan([SLACK], ["Slack"], [stored(SLACK, "drift:undisclosed:slack", "accepted")])
    assert accepted.opened == accepted.reopened == ()
    assert [f.dedupe_key for f in accepted.refreshed] == ["drift:undisclosed:slack"]
    # An accepted or resolved finding that no longer holds is left as it is.
    quiet = plan(
        [SLACK],
        [],
        [
            stored(SLACK, "drift:undisclosed:slack", "accepted"),
            stored(SLACK, "drift:undisclosed:old", "resolved"),
        ],
    )
    assert quiet == plan([SLACK], [], [])


def test_vendors_are_compared_separately() -> None:
    zoom = DriftVendor(uuid4(), "Zoom", 2, attested=("Zoom",))
    result = plan([SLACK, zoom], ["Slack", "Zoom Video"], [])
    assert {(f.vendor_id, f.dedupe_key) for f in result.opened} == {
        (SLACK.id, "drift:undisclosed:slack")
    }


def test_keys_fit_the_column() -> None:
    vendor = DriftVendor(UUID(int=1), "x", 1)
    (finding,) = vendor_drift(vendor, ["x" * 400])
    assert len(finding.dedupe_key) == 300

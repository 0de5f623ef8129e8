"""Tenable Vulnerability Management connector against recorded export API responses."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.base import ConnectorContext
from connectors.errors import ConnectorError
from connectors.tenable_export import POLL_SECONDS
from connectors.tenable_io import (
    CONNECTOR,
    VULN_KRIS,
    Asset,
    Vuln,
    mean_days_to_fix,
    open_older_than,
    scanned_within,
)
from tests.connectors.harness import (
    FIXED_NOW,
    Recorded,
    Resp,
    Route,
    assert_auth_failure_is_clear,
    assert_group_left_out,
    assert_header_sent,
    assert_no_secret_in,
    assert_secrets_not_in_urls,
    details,
    load_fixture,
    make_ctx,
    values,
)

VENDOR = "tenable-io"
ACCESS, SECRET = "ak-0123456789abcdef", "sk-fedcba9876543210"
CREDS = {"access_key": ACCESS, "secret_key": SECRET}
VULN_UUID = "a9c0f7c2-5b1e-4e5b-9f36-2d5c7b0d1e01"
ASSET_UUID = "b7e1d3a4-2c6f-4d8e-8a1b-3f4e5d6c7b02"
VULN_STATUS = f"/vulns/export/{VULN_UUID}/status"
ASSET_STATUS = f"/assets/export/{ASSET_UUID}/status"


def routes(
    *,
    vulns_export: list[Resp] | None = None,
    assets_export: list[Resp] | None = None,
    vulns_status: list[Resp] | None = None,
    chunk_1: list[Resp] | None = None,
    vulns_jobs: list[Resp] | None = None,
) -> list[Route]:
    return [
        Route("GET", "/vulns/export/status", vulns_jobs or [Resp(json={"exports": []})]),
        Route("GET", "/assets/export/status", [Resp(json={"exports": []})]),
        Route("POST", "/vulns/export", vulns_export or [Resp(fixture="vulns_export.json")]),
        Route(
            "GET",
            VULN_STATUS,
            vulns_status
            or [
                Resp(fixture="vulns_status_processing.json"),
                Resp(fixture="vulns_status_finished.json"),
            ],
        ),
        Route(
            "GET",
            f"/vulns/export/{VULN_UUID}/chunks/1",
            chunk_1 or [Resp(fixture="vulns_chunk_1.json")],
        ),
        Route("GET", f"/vulns/export/{VULN_UUID}/chunks/2", [Resp(fixture="vulns_chunk_2.json")]),
        Route("POST", "/assets/export", assets_export or [Resp(fixture="assets_export.json")]),
        Route("GET", ASSET_STATUS, [Resp(fixture="assets_status_finished.json")]),
        Route(
            "GET", f"/assets/export/{ASSET_UUID}/chunks/1", [Resp(fixture="assets_chunk_1.json")]
        ),
        Route("GET", "/session", [Resp(fixture="session.json")]),
    ]


def ctx_for(
    recorded: Recorded, config: dict[str, str] | None = None
) -> tuple[ConnectorContext, list[float]]:
    return make_ctx(VENDOR, config=config or {}, credentials=CREDS, recorded=recorded)


def test_run_computes_every_kri_from_the_exports() -> None:
    recorded = Recorded(routes())
    ctx, sleeps = ctx_for(recorded)

    result = CONNECTOR.run(ctx)

    assert recorded.unmatched == []
    # Run at 2026-11-26 12:00 UTC.
    # critical open > 30 d: #1 (first_found 09-01) and #3 (10-01); #2 reopened 11-10 is 16 d.
    # high open > 60 d: #4 (08-01) and #6 (06-01); #5 (10-15) is 42 d.
    # exploitable critical open: #1 and #3 (exploit_available true); #7 is fixed.
    # MTTR critical: #7 fixed after 30 d, #8 after 10 d -> 20.0; #9 was fixed 05-01, before
    # the 90-day window (from 08-28).
    # scan coverage: assets 5 (deleted) and 6 (terminated) are out; of 1..4, 1 (11-25) and
    # 2 (11-20) were scanned within 7 days -> 2 / 4 = 50 %.
    assert values(result) == {
        "critical_vulns_open_gt_30d": 2.0,
        "high_vulns_open_gt_60d": 2.0,
        "exploitable_critical_vulns_open": 2.0,
        "mttr_critical_days": 20.0,
        "scan_coverage_7d_pct": 50.0,
    }
    assert details(result)["scan_coverage_7d_pct"]["denominator"] == 4
    assert details(result)["mttr_critical_days"]["fixed"] == 2
    assert result.items_fetched == 10 + 6
    assert result.warnings == ()
    assert set(result.observations["observed_at"].to_list()) == {FIXED_NOW}
    # The status was polled until FINISHED, waiting POLL_SECONDS through the kit's sleep.
    assert len(recorded.calls_to(VULN_STATUS)) == 2
    assert sleeps == [POLL_SECONDS]
    assert_header_sent(recorded, "X-ApiKeys", f"accessKey={ACCESS};secretKey={SECRET}")
    assert_secrets_not_in_urls(recorded, [ACCESS, SECRET])


def test_export_request_asks_for_high_and_critical_since_90_days() -> None:
    recorded = Recorded(routes())
    ctx, _ = ctx_for(recorded)
    CONNECTOR.run(ctx)
    body = recorded.calls_to("/vulns/export", "POST")[0].json()
    assert body["filters"]["severity"] == ["high", "critical"]
    assert body["filters"]["state"] == ["OPEN", "REOPENED", "FIXED"]
    assert body["filters"]["since"] == int(datetime(2026, 8, 28, 12, tzinfo=UTC).timestamp())
    assert recorded.calls_to("/assets/export", "POST")[0].json() == {"chunk_size": 1000}


def test_every_available_chunk_is_downloaded() -> None:
    recorded = Recorded(routes())
    ctx, _ = ctx_for(recorded)
    CONNECTOR.run(ctx)
    chunk_paths = [
        c.path for c in recorded.calls if "/vulns/export/" in c.path and "chunks" in c.path
    ]
    assert chunk_paths == [
        f"/vulns/export/{VULN_UUID}/chunks/1",
        f"/vulns/export/{VULN_UUID}/chunks/2",
    ]


def test_the_wait_is_bounded_by_the_sources_export_wait() -> None:
    # Before issue 14 the wait was a fixed ten minutes (60 polls); it is now the source's
    # export_wait_minutes (default 60): here 2 minutes, 12 polls 10 s apart.
    processing = Resp(fixture="vulns_status_processing.json")
    recorded = Recorded(routes(vulns_status=[processing]))
    ctx, sleeps = ctx_for(recorded, {"export_wait_minutes": "2"})
    result = CONNECTOR.run(ctx)
    assert len(recorded.calls_to(VULN_STATUS)) == 12
    assert sleeps == [POLL_SECONDS] * 11
    warning = assert_group_left_out(result, VULN_KRIS, "did not finish within 2 minutes")
    assert "the next run resumes polling it" in warning
    assert values(result) == {"scan_coverage_7d_pct": 50.0}


def test_the_default_wait_is_an_hour() -> None:
    processing = Resp(fixture="vulns_status_processing.json")
    recorded = Recorded(routes(vulns_status=[processing]))
    ctx, sleeps = ctx_for(recorded)
    CONNECTOR.run(ctx)
    assert len(recorded.calls_to(VULN_STATUS)) == 360
    assert sum(sleeps) == 359 * POLL_SECONDS


def test_a_running_export_is_resumed_not_restarted(caplog: pytest.LogCaptureFixture) -> None:
    jobs = {
        "exports": [
            {"uuid": "old-finished", "status": "FINISHED", "created": 1764100000000},
            {"uuid": VULN_UUID, "status": "PROCESSING", "created": 1764140000000},
        ]
    }
    recorded = Recorded(routes(vulns_jobs=[Resp(json=jobs)]))
    ctx, _ = ctx_for(recorded)
    with caplog.at_level(logging.INFO, logger="connectors.tenable-io"):
        result = CONNECTOR.run(ctx)
    assert recorded.calls_to("/vulns/export", "POST") == []
    assert recorded.calls_to("/assets/export", "POST") != []  # none running: started
    assert values(result)["critical_vulns_open_gt_30d"] == 2.0
    assert f"resuming the vulns export {VULN_UUID}" in caplog.text
    # progress in the run's log: state, chunks ready, time waited of the bound
    assert f"vulns export {VULN_UUID} PROCESSING" in caplog.text
    assert "waited 0s of 3600s" in caplog.text


@pytest.mark.parametrize("raw", ["0", "361", "soon"])
def test_an_export_wait_out_of_range_is_refused(raw: str) -> None:
    ctx, _ = ctx_for(Recorded(routes()), {"export_wait_minutes": raw})
    with pytest.raises(ConnectorError, match="from 1 to 360"):
        CONNECTOR.run(ctx)


def test_a_failed_export_leaves_its_kris_out() -> None:
    error = Resp(json={"status": "ERROR", "chunks_available": []})
    recorded = Recorded(routes(vulns_status=[error]))
    ctx, _ = ctx_for(recorded)
    result = CONNECTOR.run(ctx)
    assert_group_left_out(result, VULN_KRIS, "state ERROR")


def test_probe_succeeds_with_valid_keys() -> None:
    recorded = Recorded(routes())
    ctx, _ = ctx_for(recorded)
    probe = CONNECTOR.test(ctx)
    assert probe.ok, probe.message
    assert "draxis-api@acme.example" in probe.message


@pytest.mark.parametrize("status", [401, 403])
def test_probe_reports_refused_keys(status: int) -> None:
    recorded = Recorded([Route("GET", "/session", [Resp(status, json={"error": "Invalid"})])])
    ctx, _ = ctx_for(recorded)
    probe = CONNECTOR.test(ctx)
    assert not probe.ok
    assert f"({status})" in probe.message
    assert probe.message.startswith("tenable-io:")
    assert_no_secret_in(probe.message, [ACCESS, SECRET])


@pytest.mark.parametrize("status", [401, 403])
def test_run_raises_auth_failed(status: int) -> None:
    assert_auth_failure_is_clear(
        CONNECTOR, lambda r: ctx_for(r)[0], status=status, secrets=[ACCESS, SECRET]
    )


def test_403_on_the_asset_export_leaves_only_scan_coverage_out() -> None:
    denied = Resp(403, json={"statusCode": 403, "error": "Forbidden", "message": "Forbidden"})
    recorded = Recorded(routes(assets_export=[denied]))
    ctx, _ = ctx_for(recorded)

    result = CONNECTOR.run(ctx)

    assert "scan_coverage_7d_pct" not in values(result)
    assert values(result)["critical_vulns_open_gt_30d"] == 2.0
    assert len(result.warnings) == 1
    assert "scan_coverage_7d_pct" in result.warnings[0]
    assert "403" in result.warnings[0]


def test_403_on_the_vuln_export_leaves_the_vuln_kris_out() -> None:
    denied = Resp(403, json={"message": "Forbidden"})
    recorded = Recorded(routes(vulns_export=[denied]))
    ctx, _ = ctx_for(recorded)
    result = CONNECTOR.run(ctx)
    assert values(result) == {"scan_coverage_7d_pct": 50.0}
    assert_group_left_out(result, VULN_KRIS, "403", "Forbidden")


def test_429_with_retry_after_is_waited_then_succeeds() -> None:
    limited = Resp(429, body="Too Many Requests", headers={"retry-after": "30"})
    recorded = Recorded(routes(vulns_export=[limited, Resp(fixture="vulns_export.json")]))
    ctx, sleeps = ctx_for(recorded)
    result = CONNECTOR.run(ctx)
    assert sleeps[0] == 30.0
    assert len(recorded.calls_to("/vulns/export", "POST")) == 2
    assert values(result)["critical_vulns_open_gt_30d"] == 2.0


def test_5xx_is_retried_then_its_group_is_left_out() -> None:
    recorded = Recorded(routes(chunk_1=[Resp(503, body="unavailable")]))
    ctx, _ = ctx_for(recorded)
    result = CONNECTOR.run(ctx)
    assert len(recorded.calls_to(f"/vulns/export/{VULN_UUID}/chunks/1")) == 4
    assert_group_left_out(result, VULN_KRIS, "503 after 4 attempts")


def test_a_renamed_field_leaves_its_group_out_naming_it() -> None:
    chunk: list[dict[str, Any]] = load_fixture(VENDOR, "vulns_chunk_1.json")
    chunk[0]["firstFound"] = chunk[0].pop("first_found")
    recorded = Recorded(routes(chunk_1=[Resp(json=chunk)]))
    ctx, _ = ctx_for(recorded)
    result = CONNECTOR.run(ctx)
    assert_group_left_out(result, VULN_KRIS, "'first_found'")


def test_no_fixed_criticals_leaves_mttr_out_with_a_warning() -> None:
    chunk_2: list[dict[str, Any]] = load_fixture(VENDOR, "vulns_chunk_2.json")
    recorded = Recorded(
        [
            Route(
                "GET",
                f"/vulns/export/{VULN_UUID}/chunks/2",
                [Resp(json=[v for v in chunk_2 if v["state"] != "FIXED"])],
            ),
            *routes(),
        ]
    )
    ctx, _ = ctx_for(recorded)
    result = CONNECTOR.run(ctx)
    assert "mttr_critical_days" not in values(result)
    assert any("mttr_critical_days not computed" in w for w in result.warnings)


def test_missing_credentials_fail_the_probe_clearly() -> None:
    recorded = Recorded(routes())
    ctx, _ = make_ctx(VENDOR, config={}, credentials={"access_key": ACCESS}, recorded=recorded)
    probe = CONNECTOR.test(ctx)
    assert not probe.ok
    assert "secret key" in probe.message
    with pytest.raises(ConnectorError, match="secret key"):
        CONNECTOR.run(ctx)


# --- the formulas -------------------------------------------------------------------------------


def _v(severity: str, state: str, first: str, fixed: str | None = None) -> Vuln:
    return Vuln(
        severity,
        state,
        datetime.fromisoformat(first),
        datetime.fromisoformat(fixed) if fixed else None,
        False,
    )


def test_formulas() -> None:
    now = datetime(2026, 11, 26, tzinfo=UTC)
    vulns = [
        _v("critical", "open", "2026-10-26T00:00:00+00:00"),  # exactly 31 days
        _v("critical", "open", "2026-10-27T00:00:01+00:00"),  # under 30 days
        _v("critical", "fixed", "2026-11-01T00:00:00+00:00", "2026-11-04T12:00:00+00:00"),
    ]
    assert open_older_than(vulns, "critical", 30, now) == 1
    assert mean_days_to_fix(vulns, now) == (3.5, 1)
    assert mean_days_to_fix([], now) == (None, 0)
    assets = [Asset(None, True), Asset(now, True), Asset(now, False)]
    assert scanned_within(assets, 7, now) == (1, 2)

"""Qualys VMDR connector against recorded (XML) Host List Detection and Host List responses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.base import ConnectorContext
from connectors.errors import SchemaMismatch
from connectors.qualys_vmdr import (
    CONCURRENCY_WAIT,
    CONNECTOR,
    DETECTION_KRIS,
    DETECTION_PATH,
    HOST_PATH,
    Detection,
    mean_days_to_fix,
    open_older_than,
    safe_xml,
)
from tests.connectors.harness import (
    FIXTURES,
    Recorded,
    Resp,
    Route,
    assert_auth_failure_is_clear,
    assert_group_left_out,
    assert_header_sent,
    assert_no_secret_in,
    assert_secrets_not_in_urls,
    make_ctx,
    values,
)

VENDOR = "qualys-vmdr"
HOST = "qualysapi.qualys.com"
PASSWORD = "q-Pa55w0rd!example"
CONFIG = {"base_url": f"https://{HOST}", "username": "acme_api"}
XML = {"Content-Type": "text/xml;charset=UTF-8"}
LIMIT_HEADERS = {
    "X-RateLimit-Limit": "300",
    "X-RateLimit-Window-Sec": "3600",
    "X-Concurrency-Limit-Limit": "2",
    "X-Concurrency-Limit-Running": "1",
    "X-RateLimit-ToWait-Sec": "0",
    "X-RateLimit-Remaining": "298",
}


def xml(name: str, status: int = 200, headers: dict[str, str] | None = None) -> Resp:
    body = (FIXTURES / VENDOR / name).read_text()
    return Resp(status, body=body, headers={**XML, **LIMIT_HEADERS, **(headers or {})})


def routes(*, detections: list[Resp] | None = None, hosts: list[Resp] | None = None) -> list[Route]:
    return [
        Route("GET", DETECTION_PATH, [xml("detections_page2.xml")], query={"id_min": "103"}),
        Route("GET", DETECTION_PATH, detections or [xml("detections_page1.xml")]),
        Route("GET", HOST_PATH, hosts or [xml("hosts.xml")]),
    ]


def ctx_for(recorded: Recorded) -> tuple[ConnectorContext, list[float]]:
    return make_ctx(VENDOR, config=CONFIG, credentials={"password": PASSWORD}, recorded=recorded)


def test_run_computes_every_kri() -> None:
    recorded = Recorded(routes())
    ctx, sleeps = ctx_for(recorded)

    result = CONNECTOR.run(ctx)

    assert recorded.unmatched == []
    # Run at 2026-11-26 12:00 UTC; severity 5 = critical, 4 = high.
    # critical open > 30 d: host 101 QID 38170 (Active, 09-01), host 103 QID 38175
    #   (Re-Opened, 10-01) -> 2; 38171 (New, 11-20) is 6 days old.
    # high open > 60 d: 38172 (08-01) and 38177 (06-01) -> 2; 38174 (10-15) is 42 d.
    # MTTR critical: 38173 fixed after 30 d, 38176 after 10 d -> 20.0; 38178 was fixed on
    #   05-01, before the 90-day window.
    # hosts with an open critical: 101 and 103 of the 5 listed hosts -> 40 %.
    # scan coverage: 101 (11-25), 102 (11-20 02:00, 6.4 d), 104 (11-24) of 5 -> 60 %;
    #   103 (11-01) is too old, 105 was never scanned.
    assert values(result) == {
        "critical_vulns_open_gt_30d": 2.0,
        "high_vulns_open_gt_60d": 2.0,
        "mttr_critical_days": 20.0,
        "hosts_with_open_critical_pct": 40.0,
        "scan_coverage_7d_pct": 60.0,
    }
    assert result.items_fetched == 9 + 5
    assert result.warnings == ()
    assert sleeps == []
    assert_header_sent(recorded, "X-Requested-With", "Draxis")
    assert all(c.headers["authorization"].startswith("Basic ") for c in recorded.calls)
    assert_secrets_not_in_urls(recorded, [PASSWORD])


def test_truncated_list_follows_the_warning_url() -> None:
    recorded = Recorded(routes())
    ctx, _ = ctx_for(recorded)
    CONNECTOR.run(ctx)
    first, second = recorded.calls_to(DETECTION_PATH)
    assert first.params["action"] == "list"
    assert first.params["severities"] == "4-5"
    assert first.params["status"] == "New,Active,Re-Opened,Fixed"
    assert first.params["show_results"] == "0"
    assert "id_min" not in first.params
    # The second request is the WARNING/URL of the first, as given.
    assert second.params["id_min"] == "103"
    assert second.params["truncation_limit"] == "1000"
    (hosts,) = recorded.calls_to(HOST_PATH)
    assert hosts.params["details"] == "Basic"


def test_probe_lists_one_host() -> None:
    recorded = Recorded(routes())
    ctx, _ = ctx_for(recorded)
    probe = CONNECTOR.test(ctx)
    assert probe.ok, probe.message
    assert recorded.calls[0].params["truncation_limit"] == "1"


@pytest.mark.parametrize("status", [401, 403])
def test_probe_reports_refused_credentials(status: int) -> None:
    recorded = Recorded([Route("GET", HOST_PATH, [xml("simple_return_error.xml", status)])])
    ctx, _ = ctx_for(recorded)
    probe = CONNECTOR.test(ctx)
    assert not probe.ok
    assert probe.message.startswith(f"{VENDOR}:")
    assert f"({status})" in probe.message
    assert_no_secret_in(probe.message, [PASSWORD])


@pytest.mark.parametrize("status", [401, 403])
def test_run_raises_auth_failed(status: int) -> None:
    assert_auth_failure_is_clear(
        CONNECTOR, lambda r: ctx_for(r)[0], status=status, secrets=[PASSWORD]
    )


def test_403_on_the_host_list_leaves_its_kris_out() -> None:
    recorded = Recorded(routes(hosts=[Resp(403, body="Forbidden")]))
    ctx, _ = ctx_for(recorded)
    result = CONNECTOR.run(ctx)
    assert set(values(result)) == {
        "critical_vulns_open_gt_30d",
        "high_vulns_open_gt_60d",
        "mttr_critical_days",
    }
    assert any("scan_coverage_7d_pct not computed" in w and "403" in w for w in result.warnings)
    assert any("hosts_with_open_critical_pct not computed" in w for w in result.warnings)


def test_409_rate_limit_waits_to_wait_sec_then_succeeds() -> None:
    blocked = xml(
        "simple_return_error.xml",
        409,
        {"X-RateLimit-Remaining": "0", "X-RateLimit-ToWait-Sec": "45"},
    )
    recorded = Recorded(routes(hosts=[blocked, xml("hosts.xml")]))
    ctx, sleeps = ctx_for(recorded)
    result = CONNECTOR.run(ctx)
    assert sleeps == [45.0]
    assert values(result)["scan_coverage_7d_pct"] == 60.0


def test_409_concurrency_limit_waits_a_fixed_pause() -> None:
    blocked = xml("simple_return_error.xml", 409, {"X-Concurrency-Limit-Running": "2"})
    recorded = Recorded(routes(hosts=[blocked, xml("hosts.xml")]))
    ctx, sleeps = ctx_for(recorded)
    CONNECTOR.run(ctx)
    assert sleeps == [CONCURRENCY_WAIT]


def test_409_with_a_long_wait_fails_rate_limited() -> None:
    blocked = xml("simple_return_error.xml", 409, {"X-RateLimit-ToWait-Sec": "3600"})
    recorded = Recorded(routes(detections=[blocked]))
    ctx, sleeps = ctx_for(recorded)
    assert_group_left_out(CONNECTOR.run(ctx), DETECTION_KRIS, "wait 3600s")
    assert sleeps == []


def test_429_with_retry_after_is_honoured() -> None:
    limited = Resp(429, body="", headers={"Retry-After": "12"})
    recorded = Recorded(routes(hosts=[limited, xml("hosts.xml")]))
    ctx, sleeps = ctx_for(recorded)
    CONNECTOR.run(ctx)
    assert sleeps == [12.0]


def test_5xx_is_retried_then_its_group_is_left_out() -> None:
    recorded = Recorded(routes(detections=[Resp(503, body="Service Unavailable")]))
    ctx, _ = ctx_for(recorded)
    assert_group_left_out(CONNECTOR.run(ctx), DETECTION_KRIS, "503 after 4 attempts")
    assert len(recorded.calls_to(DETECTION_PATH)) == 4


def test_simple_return_error_is_reported() -> None:
    recorded = Recorded(routes(detections=[xml("simple_return_error.xml")]))
    ctx, _ = ctx_for(recorded)
    result = CONNECTOR.run(ctx)
    assert_group_left_out(result, DETECTION_KRIS, "error 1905: parameter severities")


def test_a_renamed_element_fails_with_schema_mismatch() -> None:
    body = (FIXTURES / VENDOR / "detections_page1.xml").read_text()
    body = body.replace("FIRST_FOUND_DATETIME>", "FIRST_SEEN_DATETIME>")
    recorded = Recorded(routes(detections=[Resp(body=body, headers=XML)]))
    ctx, _ = ctx_for(recorded)
    result = CONNECTOR.run(ctx)
    assert_group_left_out(result, DETECTION_KRIS, "HOST/DETECTION_LIST/DETECTION/FIRST_FOUND")


def test_entity_declarations_are_refused() -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;">]>\n<HOST_LIST_OUTPUT>&lol2;</HOST_LIST_OUTPUT>'
    )
    recorded = Recorded(routes(hosts=[Resp(body=bomb, headers=XML)]))
    ctx, _ = ctx_for(recorded)
    assert_group_left_out(CONNECTOR.run(ctx), ("scan_coverage_7d_pct",), "entities")
    with pytest.raises(SchemaMismatch):
        safe_xml(b"<!DOCTYPE x [ <!ELEMENT x ANY> ]><x/>", "GET /")
    # A DOCTYPE naming an external DTD (what Qualys sends) is fine; expat does not fetch it.
    assert safe_xml(b'<!DOCTYPE x SYSTEM "https://example.com/x.dtd"><x/>', "GET /").tag == "x"


def test_next_batch_url_to_another_host_is_refused() -> None:
    body = (FIXTURES / VENDOR / "detections_page1.xml").read_text()
    body = body.replace("https://qualysapi.qualys.com/", "https://evil.example/")
    recorded = Recorded(routes(detections=[Resp(body=body, headers=XML)]))
    ctx, _ = ctx_for(recorded)
    assert_group_left_out(CONNECTOR.run(ctx), DETECTION_KRIS, "leaves")
    assert all(c.url.host == HOST for c in recorded.calls)


def test_formulas() -> None:
    now = datetime(2026, 11, 26, tzinfo=UTC)
    dets = [
        Detection("1", 5, "active", datetime(2026, 10, 26, tzinfo=UTC), None),  # 31 days
        Detection("1", 5, "new", datetime(2026, 10, 28, tzinfo=UTC), None),
        Detection(
            "2", 5, "fixed", datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 4, tzinfo=UTC)
        ),
    ]
    assert open_older_than(dets, 5, 30, now) == 1
    assert mean_days_to_fix(dets, now) == (3.0, 1)

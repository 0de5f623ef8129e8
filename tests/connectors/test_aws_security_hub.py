"""AWS Security Hub connector against recorded GetFindings / DescribeHub responses."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.aws_security_hub import (
    CONNECTOR,
    SEVERE_KRIS,
    Finding,
    endpoint,
    failed_share,
    is_security_hub_control,
    older_than,
    resource_is_public,
)
from connectors.aws_sigv4 import sign_parts
from connectors.base import ConnectorContext
from connectors.errors import ConnectorError, SchemaMismatch, UpstreamFailed
from tests.connectors.harness import (
    Call,
    Recorded,
    Resp,
    Route,
    assert_auth_failure_is_clear,
    assert_group_left_out,
    assert_no_secret_in,
    assert_secrets_not_in_urls,
    load_fixture,
    make_ctx,
    values,
)

VENDOR = "aws-security-hub"
HOST = "securityhub.eu-west-1.amazonaws.com"
KEY_ID, SECRET, TOKEN = (
    "AKIAEXAMPLEKEYID0001",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "FQoGZXIvYXdzEXAMPLE",
)
CREDS = {"access_key_id": KEY_ID, "secret_access_key": SECRET}
SECRETS = [SECRET, TOKEN]


def findings_route(*responses: Resp) -> Route:
    default = (
        Resp(fixture="severe_page1.json"),
        Resp(fixture="severe_page2.json"),
        Resp(fixture="controls.json"),
    )
    return Route("POST", "/findings", list(responses or default), host=HOST)


def ctx_for(
    recorded: Recorded, credentials: dict[str, str] | None = None
) -> tuple[ConnectorContext, list[float]]:
    return make_ctx(
        VENDOR,
        config={"region": "eu-west-1"},
        credentials=credentials or CREDS,
        recorded=recorded,
    )


def assert_signed(call: Call, *, token: str | None = None) -> None:
    """The Authorization header is the SigV4 signature of the request as it went on the wire."""
    header = call.headers["authorization"]
    assert header.startswith(
        f"AWS4-HMAC-SHA256 Credential={KEY_ID}/20261126/eu-west-1/securityhub/aws4_request, "
    )
    assert call.headers["x-amz-date"] == "20261126T120000Z"
    assert call.headers.get("x-amz-security-token") == token
    expected = sign_parts(
        method=call.method,
        raw_path=call.url.raw_path.split(b"?", 1)[0].decode(),
        raw_query=call.url.query.decode(),
        headers=call.headers.multi_items(),
        body=call.body,
        access_key_id=KEY_ID,
        secret_access_key=SECRET,
        region="eu-west-1",
        service="securityhub",
        amz_date="20261126T120000Z",
    )
    assert header == expected.authorization
    signed = header.split("SignedHeaders=")[1].split(",")[0]
    assert "host" in signed.split(";")
    assert "user-agent" not in signed


def test_run_computes_every_kri() -> None:
    recorded = Recorded([findings_route()])
    ctx, _ = ctx_for(recorded)

    result = CONNECTOR.run(ctx)

    assert recorded.unmatched == []
    # Severe (HIGH/CRITICAL, ACTIVE, NEW/NOTIFIED) findings, run at 2026-11-26 12:00 UTC:
    #   critical: #1, #3, #6 -> 3
    #   first observed > 30 d ago: #1 (09-01), #3 (no FirstObservedAt; CreatedAt 10-10),
    #     #4 (10-01); #5 (11-05) and #6 (11-01) are younger -> 3
    #   internet-facing: #1 (EC2 with 54.12.34.56), #6 (RDS PubliclyAccessible) -> 2; #2 is an
    #     internal ALB, #4 an EC2 with only 10.0.0.5, #5 a private RDS, #3 an S3 bucket.
    # Controls: 2 FAILED of 8 (2 + 6 PASSED; one from a linked region, us-east-1) -> 25 %; the
    # findings say ProductName "Security Hub CSPM", and Prowler's FAILED finding is not a
    # Security Hub control (its ProductArn is Prowler's).
    assert values(result) == {
        "critical_findings_active": 3.0,
        "severe_findings_open_gt_30d": 3.0,
        "severe_findings_public_resources": 2.0,
        "failed_control_checks_pct": 25.0,
    }
    detail = {
        r["kri_slug"]: json.loads(r["detail"]) for r in result.observations.iter_rows(named=True)
    }
    assert detail["failed_control_checks_pct"] == {"numerator": 2, "denominator": 8}
    assert result.items_fetched == 6 + 9
    assert result.warnings == ()
    for call in recorded.calls:
        assert_signed(call)
    assert_secrets_not_in_urls(recorded, SECRETS)


def test_filters_and_next_token_pagination() -> None:
    recorded = Recorded([findings_route()])
    ctx, _ = ctx_for(recorded)
    CONNECTOR.run(ctx)
    first, second, controls = (c.json() for c in recorded.calls_to("/findings", "POST"))
    assert first["Filters"]["RecordState"] == [{"Value": "ACTIVE", "Comparison": "EQUALS"}]
    assert [f["Value"] for f in first["Filters"]["WorkflowStatus"]] == ["NEW", "NOTIFIED"]
    assert [f["Value"] for f in first["Filters"]["SeverityLabel"]] == ["CRITICAL", "HIGH"]
    assert first["MaxResults"] == 100
    assert "NextToken" not in first
    # The token of page 1 went back in the body of the second request.
    assert second["NextToken"] == "eyJwYWdlIjoyfQ=="
    assert second["Filters"] == first["Filters"]
    assert [f["Value"] for f in controls["Filters"]["ComplianceStatus"]] == ["PASSED", "FAILED"]
    # No ProductName filter: AWS renamed the product "Security Hub CSPM" and the KRI vanished.
    assert "ProductName" not in controls["Filters"]
    assert "NextToken" not in controls


def test_session_token_is_sent_and_signed() -> None:
    recorded = Recorded([findings_route()])
    ctx, _ = ctx_for(recorded, {**CREDS, "session_token": TOKEN})
    CONNECTOR.run(ctx)
    for call in recorded.calls:
        assert_signed(call, token=TOKEN)
        assert "x-amz-security-token" in call.headers["authorization"]


def test_probe_describes_the_hub() -> None:
    recorded = Recorded([Route("GET", "/accounts", [Resp(fixture="hub.json")], host=HOST)])
    ctx, _ = ctx_for(recorded)
    probe = CONNECTOR.test(ctx)
    assert probe.ok, probe.message
    assert "arn:aws:securityhub:eu-west-1:111122223333:hub/default" in probe.message
    assert_signed(recorded.calls[0])


@pytest.mark.parametrize(
    ("status", "code"),
    [(401, "InvalidAccessException"), (403, "UnrecognizedClientException")],
)
def test_probe_reports_refusals_with_the_aws_error_code(status: int, code: str) -> None:
    error = {"Code": code, "Message": "The security token included in the request is invalid."}
    recorded = Recorded([Route("GET", "/accounts", [Resp(status, json=error)])])
    ctx, _ = ctx_for(recorded)
    probe = CONNECTOR.test(ctx)
    assert not probe.ok
    assert probe.message.startswith(
        f"aws-security-hub: AWS refused GET /accounts ({status} {code})"
    )
    if code == "InvalidAccessException":
        assert "not enabled" in probe.message
    assert_no_secret_in(probe.message, SECRETS)


@pytest.mark.parametrize("status", [401, 403])
def test_run_raises_auth_failed(status: int) -> None:
    assert_auth_failure_is_clear(CONNECTOR, lambda r: ctx_for(r)[0], status=status, secrets=SECRETS)


def test_403_on_the_control_query_leaves_that_kri_out() -> None:
    denied = Resp(403, json={"Code": "AccessDeniedException", "Message": "not authorized"})
    recorded = Recorded(
        [
            findings_route(
                Resp(fixture="severe_page1.json"), Resp(fixture="severe_page2.json"), denied
            )
        ]
    )
    ctx, _ = ctx_for(recorded)
    result = CONNECTOR.run(ctx)
    assert set(values(result)) == {
        "critical_findings_active",
        "severe_findings_open_gt_30d",
        "severe_findings_public_resources",
    }
    assert len(result.warnings) == 1
    assert "failed_control_checks_pct not computed" in result.warnings[0]
    assert "AccessDeniedException" in result.warnings[0]


def test_403_on_the_severe_query_leaves_its_kris_out() -> None:
    denied = Resp(403, json={"Code": "AccessDeniedException", "Message": "not authorized"})
    recorded = Recorded([findings_route(denied, Resp(fixture="controls.json"))])
    ctx, _ = ctx_for(recorded)
    result = CONNECTOR.run(ctx)
    assert values(result) == {"failed_control_checks_pct": 25.0}
    assert_group_left_out(
        result,
        SEVERE_KRIS,
        "AccessDeniedException",
    )


def test_throttling_with_retry_after_is_waited_then_succeeds() -> None:
    throttled = Resp(
        429,
        json={"Code": "TooManyRequestsException", "Message": "Rate exceeded"},
        headers={"Retry-After": "2"},
    )
    recorded = Recorded(
        [
            findings_route(
                throttled,
                Resp(fixture="severe_page1.json"),
                Resp(fixture="severe_page2.json"),
                Resp(fixture="controls.json"),
            )
        ]
    )
    ctx, sleeps = ctx_for(recorded)
    result = CONNECTOR.run(ctx)
    assert sleeps == [2.0]
    assert values(result)["critical_findings_active"] == 3.0
    # The retry was signed afresh.
    assert_signed(recorded.calls[1])


def test_throttling_without_retry_after_backs_off() -> None:
    throttled = Resp(429, json={"__type": "ThrottlingException", "message": "Rate exceeded"})
    recorded = Recorded(
        [
            findings_route(
                throttled,
                Resp(fixture="severe_page1.json"),
                Resp(fixture="severe_page2.json"),
                Resp(fixture="controls.json"),
            )
        ]
    )
    ctx, sleeps = ctx_for(recorded)
    CONNECTOR.run(ctx)
    assert len(sleeps) == 1
    assert 0 <= sleeps[0] <= 0.5


def test_5xx_everywhere_is_a_total_outage_that_fails_the_run() -> None:
    recorded = Recorded([findings_route(Resp(500, json={"Code": "InternalException"}))])
    ctx, _ = ctx_for(recorded)
    with pytest.raises(UpstreamFailed, match="500 after 4 attempts") as caught:
        CONNECTOR.run(ctx)
    assert caught.value.status == 500
    assert len(recorded.calls) == 8  # both queries, each retried to 4 attempts


def test_other_4xx_names_the_aws_error() -> None:
    invalid = Resp(400, json={"Code": "InvalidInputException", "Message": "Invalid filter"})
    recorded = Recorded([findings_route(invalid)])
    ctx, _ = ctx_for(recorded)
    with pytest.raises(UpstreamFailed, match="400 InvalidInputException: Invalid filter"):
        CONNECTOR.run(ctx)


def test_a_renamed_field_leaves_its_group_out_naming_it() -> None:
    page: dict[str, Any] = load_fixture(VENDOR, "severe_page1.json")
    page["Findings"][0]["Severity"] = {"label": "CRITICAL"}
    recorded = Recorded(
        [
            findings_route(
                Resp(json=page), Resp(fixture="severe_page2.json"), Resp(fixture="controls.json")
            )
        ]
    )
    ctx, _ = ctx_for(recorded)
    result = CONNECTOR.run(ctx)
    assert_group_left_out(
        result,
        SEVERE_KRIS,
        "'Severity.Label'",
    )
    assert values(result) == {"failed_control_checks_pct": 25.0}


def test_no_control_findings_leaves_the_share_out() -> None:
    recorded = Recorded(
        [
            findings_route(
                Resp(fixture="severe_page1.json"),
                Resp(fixture="severe_page2.json"),
                Resp(json={"Findings": []}),
            )
        ]
    )
    ctx, _ = ctx_for(recorded)
    result = CONNECTOR.run(ctx)
    assert "failed_control_checks_pct" not in values(result)
    assert any("failed_control_checks_pct not computed" in w for w in result.warnings)


def test_region_is_validated() -> None:
    assert endpoint("eu-west-1") == "https://securityhub.eu-west-1.amazonaws.com"
    assert endpoint("us-gov-west-1") == "https://securityhub.us-gov-west-1.amazonaws.com"
    assert endpoint("cn-north-1") == "https://securityhub.cn-north-1.amazonaws.com.cn"
    with pytest.raises(ConnectorError, match="not an AWS region"):
        endpoint("evil.example.com/x")
    recorded = Recorded([])
    ctx, _ = make_ctx(
        VENDOR, config={"region": "169.254.169.254#"}, credentials=CREDS, recorded=recorded
    )
    assert not CONNECTOR.test(ctx).ok
    assert recorded.calls == []


def test_formulas() -> None:
    now = datetime(2026, 11, 26, tzinfo=UTC)
    findings = [
        Finding("CRITICAL", datetime(2026, 10, 26, tzinfo=UTC), False),  # 31 days
        Finding("HIGH", datetime(2026, 10, 28, tzinfo=UTC), True),
    ]
    assert older_than(findings, 30, now) == 1
    assert failed_share(["FAILED", "PASSED", "WARNING", "NOT_AVAILABLE"]) == (1, 2)
    assert resource_is_public({"Type": "AwsEc2Instance", "Details": {}}) is False
    assert resource_is_public(
        {
            "Type": "AwsElbv2LoadBalancer",
            "Details": {"AwsElbv2LoadBalancer": {"Scheme": "internet-facing"}},
        }
    )
    with pytest.raises(SchemaMismatch, match="Type"):
        resource_is_public({"Details": {}})


def test_control_checks_are_security_hubs_own_by_product_arn() -> None:
    assert is_security_hub_control("arn:aws:securityhub:eu-west-1::product/aws/securityhub")
    gov = "arn:aws-us-gov:securityhub:us-gov-west-1::product/aws/securityhub"
    assert is_security_hub_control(gov)
    assert is_security_hub_control("arn:aws-cn:securityhub:cn-north-1::product/aws/securityhub")
    assert not is_security_hub_control("arn:aws:securityhub:eu-west-1::product/prowler/prowler")
    assert not is_security_hub_control("arn:aws:securityhub:eu-west-1::product/aws/guardduty")

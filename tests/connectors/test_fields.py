"""Field helpers: config and secrets, the observation frame, pct, timestamps.

Everything runs through the real `httpx.Client` over `httpx.MockTransport` (the harness's
`Recorded`); nothing sleeps and nothing leaves the process.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from connectors.errors import (
    ConnectorError,
    SchemaMismatch,
)
from connectors.fields import observation_frame, parse_time, pct, require_config, require_secret
from tests.connectors.harness import (
    Recorded,
    make_ctx,
)

# --- field helpers ---------------------------------------------------------------------------


def test_require_config_and_secret_name_what_is_missing() -> None:
    ctx, _ = make_ctx(
        "okta",
        config={"domain": " acme.okta.com ", "empty": ""},
        credentials={"api_token": "t\n"},
        recorded=Recorded([]),
    )
    assert require_config(ctx, "domain", "okta") == "acme.okta.com"
    assert require_secret(ctx, "api_token", "okta") == "t"
    with pytest.raises(ConnectorError, match=r"^okta: the source has no org domain configured$"):
        require_config(ctx, "org_domain", "okta")
    with pytest.raises(ConnectorError, match="no empty configured"):
        require_config(ctx, "empty", "okta")
    with pytest.raises(ConnectorError, match=r"^okta: the source has no API token configured$"):
        require_secret(ctx, "token", "okta", label="API token")


def test_observation_frame_matches_the_contract() -> None:
    naive = datetime(2026, 11, 26, 13, 0)  # naive: the case under test
    aware = datetime(2026, 11, 26, 14, 0, tzinfo=timezone(timedelta(hours=1)))
    frame = observation_frame([("mfa_adoption_pct", 97, aware, {"users": 100, "b": 1})])
    assert frame.schema["observed_at"] == observation_frame([]).schema["observed_at"]
    assert frame.row(0) == (
        "mfa_adoption_pct",
        97.0,
        datetime(2026, 11, 26, 13, 0, tzinfo=UTC),
        '{"b": 1, "users": 100}',
    )
    with pytest.raises(ValueError, match="no timezone"):
        observation_frame([("x", 1.0, naive, {})])


def test_pct() -> None:
    assert pct(1, 3) == 33.33
    assert pct(0, 0) is None
    assert pct(5, 5) == 100.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-26T12:00:00Z", datetime(2026, 11, 26, 12, tzinfo=UTC)),
        ("2026-11-26T12:00:00.123Z", datetime(2026, 11, 26, 12, 0, 0, 123000, tzinfo=UTC)),
        ("2026-11-26T12:00:00.123456789Z", datetime(2026, 11, 26, 12, 0, 0, 123456, tzinfo=UTC)),
        ("2026-11-26T14:00:00+02:00", datetime(2026, 11, 26, 12, tzinfo=UTC)),
        ("2026-11-26 12:00:00", datetime(2026, 11, 26, 12, tzinfo=UTC)),
    ],
)
def test_parse_time(text: str, expected: datetime) -> None:
    assert parse_time(text) == expected


def test_parse_time_names_the_field() -> None:
    with pytest.raises(SchemaMismatch) as caught:
        parse_time("last tuesday", "lastLogin", vendor="okta")
    assert caught.value.field == "lastLogin"
    assert str(caught.value) == (
        "okta: expected field 'lastLogin' to be an ISO 8601 timestamp, got 'last tuesday'"
    )

"""CrowdStrike Falcon at its documented caps: 10,001 hosts and 10,001 open alerts, served by a
synthetic tenant that refuses ``offset + limit > 10000`` as Falcon does (tests/connectors/sims).

Before issue 14 the connector paged hosts and alert ids by offset: at 10,001 the third host page
(offset 10000, limit 5000) was refused with a 400 and the run failed — what
`test_offset_paging_is_refused_past_10000` shows on the same tenant. It now scrolls hosts and
pages alerts with the ``after`` token."""

from __future__ import annotations

import pytest

from connectors.base import ConnectorContext
from connectors.crowdstrike_falcon import CONNECTOR
from connectors.errors import UpstreamFailed
from tests.connectors.harness import details, sim_ctx, values
from tests.connectors.sims.core import SimRequest
from tests.connectors.sims.falcon import FalconSim

CONFIG = {"cloud": "api.us-gov-2.crowdstrike.mil", "client_id": "cs-client-id"}


def falcon_ctx(sim: FalconSim, calls: list[SimRequest]) -> ConnectorContext:
    return sim_ctx(
        "crowdstrike-falcon", sim, config=CONFIG, credentials={"client_secret": "s3"}, calls=calls
    )


def paths(calls: list[SimRequest], path: str) -> list[SimRequest]:
    return [c for c in calls if c.path == path]


def test_10001_hosts_and_alerts_are_read_past_the_offset_cap() -> None:
    calls: list[SimRequest] = []
    result = CONNECTOR.run(falcon_ctx(FalconSim(hosts=10_001, alerts=10_001, vulns=10), calls))
    assert values(result) == {
        "sensors_not_seen_7d_pct": 10.01,  # i % 10 == 0: 1001 of 10,001
        "sensors_reduced_functionality_pct": 2.01,  # i % 50 == 0: 201
        "hosts_without_prevention_policy_pct": 5.01,  # i % 20 == 0: 501
        "open_critical_high_alerts": 4000.0,  # severity_name High (i % 5 == 3) or Critical (4)
        "untriaged_alert_age_hours": 10.0,  # the 5001 even alerts are new, 10 hours old
        "critical_vulns_open_gt_30d": 7.0,  # 10 records, 3 suppressed (0, 4, 8)
    }
    assert details(result)["sensors_not_seen_7d_pct"] == {"numerator": 1001, "denominator": 10_001}
    assert details(result)["untriaged_alert_age_hours"] == {"new_alerts": 5001}
    assert result.warnings == ()
    assert result.items_fetched == 10_001 + 10_001 + 10
    # 5000 + 5000 + 1 ids: three scroll pages, the last stopped by the total, not a fourth call
    scroll = paths(calls, "/devices/queries/devices-scroll/v1")
    assert [c.query["limit"] for c in scroll] == ["5000"] * 3
    assert "offset" not in scroll[0].query
    assert all("offset" in c.query for c in scroll[1:])
    assert len(paths(calls, "/devices/entities/devices/v2")) == 3
    alert_pages = paths(calls, "/alerts/combined/alerts/v1")
    assert len(alert_pages) == 11  # ten full pages of 1000 and one of 1
    assert "after" not in alert_pages[0].json()
    assert all("after" in c.json() for c in alert_pages[1:])
    assert not paths(calls, "/devices/queries/devices/v1")
    assert not paths(calls, "/alerts/queries/alerts/v2")
    assert {c.headers["host"] for c in calls} == {"api.us-gov-2.crowdstrike.mil"}


def test_offset_paging_is_refused_past_10000() -> None:
    # What the connector did before: offset paging of QueryDevicesByFilter at its 5000 limit.
    calls: list[SimRequest] = []
    http = falcon_ctx(FalconSim(hosts=10_001, alerts=0), calls).http_env.client(
        vendor="crowdstrike-falcon", base_url="https://api.crowdstrike.com"
    )
    with pytest.raises(UpstreamFailed) as caught:
        list(http.paginate_offset("/devices/queries/devices/v1", items="resources", limit=5000))
    assert caught.value.status == 400
    assert "Invalid offset + limit: must be <= 10000" in str(caught.value)
    assert [c.query["offset"] for c in calls] == ["0", "5000", "10000"]


def test_an_empty_tenant_writes_no_percentage() -> None:
    calls: list[SimRequest] = []
    result = CONNECTOR.run(falcon_ctx(FalconSim(hosts=0, alerts=0), calls))
    assert values(result) == {"open_critical_high_alerts": 0.0, "critical_vulns_open_gt_30d": 0.0}
    assert len(paths(calls, "/devices/queries/devices-scroll/v1")) == 1
    assert not paths(calls, "/devices/entities/devices/v2")
    assert any("no hosts" in w for w in result.warnings)

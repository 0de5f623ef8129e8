"""Faults, proved where they are fast (`bench/faults.py` runs them all, kill -9 included):
a vendor answering 429 or 5xx storms, or hanging past its timeout, fails the run with the
vendor's reason and writes nothing; another tenant's run carries on meanwhile; the next run
succeeds and leaves no lease behind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from assets.database import DraxisDatabase
from bench.fault_lab import Lab, faulty_registry, lease_refusal, vendor_fault, vendor_server
from bench.faults import Cluster, Hammer, down_at_write, laboratory, restart_mid_fetch
from draxis.settings import Settings
from tests.factories import TenantFixture, know

REASONS = {
    "429": "429",
    "503": "503",
    "hang": "failed after 3 attempts: readtimeout",
}


@pytest.fixture
def lab(
    settings: Settings, database: DraxisDatabase, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> Iterator[Lab]:
    with (
        dg.DagsterInstance.ephemeral() as instance,
        vendor_server() as url,
        faulty_registry(url, tenant_a.slug) as connector,
    ):
        know(instance, tenant_a, tenant_b)
        yield Lab(settings, database, instance, tenant_a, tenant_b, connector)


@pytest.mark.parametrize("mode", sorted(REASONS))
def test_a_vendor_fault_fails_the_run_cleanly_and_the_next_run_succeeds(
    lab: Lab, mode: str
) -> None:
    outcome = vendor_fault(lab, mode)
    assert outcome.run_status == "failed"
    assert REASONS[mode] in outcome.reason.lower(), outcome.reason
    assert outcome.rows_written == 0
    assert outcome.others_ok
    assert outcome.next_ok, outcome.notes
    assert not outcome.lost


def test_a_second_run_during_a_slow_fetch_is_refused_and_the_first_writes(lab: Lab) -> None:
    outcome = lease_refusal(lab)
    assert outcome.notes == ["second run refused by the lease"]
    assert (outcome.run_status, outcome.rows_written > 0) == ("succeeded", True)
    assert not outcome.lost


def test_postgres_restarting_mid_fetch_or_down_at_the_write_loses_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    """On a scratch cluster of its own: a restart while the vendor answers does not even fail
    the run (it holds no connection); a database down when the run comes to write fails it, and
    once back the dead-runs pass closes its source_run with the reason and frees the source. The
    API, hammered throughout, answers 200 or 503 and recovers by itself."""
    cluster = Cluster(tmp_path)
    try:
        with laboratory(cluster) as (lab, client, headers):
            restarted = restart_mid_fetch(lab, cluster, Hammer(client, headers))
            down = down_at_write(lab, cluster, Hammer(client, headers))
    finally:
        cluster.kill()
    assert (restarted.run_status, restarted.api_ok, restarted.lost) == ("succeeded", True, False)
    assert (down.run_status, down.rows_written, down.api_ok) == ("failed", 0, True)
    assert "ended FAILURE without finishing this source" in down.reason
    assert (down.next_ok, down.others_ok, down.lost) == (True, True, False), down

"""Test: probe a source's vendor with its stored settings, within 10 s, holding nothing.

The probe runs in-process on a bounded thread pool, between two short transactions (read the
settings, then audit the outcome): while the vendor answers, no transaction, row lock or pooled
connection is held.
"""

from __future__ import annotations

import concurrent.futures
import time
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter

from api.access import TenantWork, tenant_work_scope
from api.deps import SettingsDep
from api.problems import problem_responses
from api.sources import (
    ProbeOut,
    connector_or_422,
    log,
    open_or_409,
    source_or_404,
)
from connectors.errors import ConnectorError
from connectors.runtime import connector_context
from draxis.security.permissions import Permission

router = APIRouter(prefix="/api", tags=["integrations"], responses=problem_responses(409))
P = Permission
Prober = Annotated[TenantWork, tenant_work_scope(P.INTEGRATIONS_MANAGE)]


TEST_TIMEOUT_SECONDS = 10.0
# Probes run here, bounded: a vendor that hangs past its timeouts cannot exhaust the API's threads.
_PROBES = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="probe")


@router.post("/sources/{source_id}/test", response_model=ProbeOut)
def test_source(
    source_id: UUID,
    work: Prober,
    settings: SettingsDep,
) -> ProbeOut:
    """Probe the vendor with the stored settings (one cheap authenticated call), within 10 s.

    The probe waits on the network, so it runs between two short transactions (read the
    settings, then audit the outcome) and never holds one open.
    """
    with work.tx() as tx:
        current = source_or_404(tx, source_id)
        row = tx.conn.execute(
            "select s.credentials, t.slug from tenant.kri_source s"
            " join platform.tenants t on t.id = s.tenant_id where s.id = %s",
            (source_id,),
        ).fetchone()
    assert row is not None
    connector = connector_or_422(current.vendor_id)
    tenant_id = work.tenant_id
    ctx = connector_context(
        settings,
        tenant_id=tenant_id,
        tenant_slug=str(row[1]),
        source_id=source_id,
        config=current.config,
        credentials=open_or_409(settings, tenant_id, source_id, row[0]),
        logger=log,
    )
    started = time.monotonic()
    future = _PROBES.submit(connector.test, ctx)
    try:
        result = future.result(timeout=TEST_TIMEOUT_SECONDS)
        ok, message = result.ok, result.message
    except concurrent.futures.TimeoutError:
        ok, message = (
            False,
            f"{connector.display_name} did not answer within {TEST_TIMEOUT_SECONDS:g} s.",
        )
    except ConnectorError as exc:
        ok, message = False, str(exc)
    except Exception:
        log.exception("connector test crashed", extra={"vendor_id": connector.vendor_id})
        ok, message = False, f"The {connector.display_name} connector failed unexpectedly."
    elapsed = int((time.monotonic() - started) * 1000)
    with work.tx() as tx:
        tx.audit(
            "source.test",
            target_type="kri_source",
            target_id=source_id,
            ok=ok,
            message=message[:500],
        )
    return ProbeOut(ok=ok, message=message, elapsed_ms=elapsed)

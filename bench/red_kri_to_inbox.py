"""Benchmark: issue 18's whole chain, from a KRI's colour materialization to the owner's e-mail
and the signed webhook.

    .venv/bin/python -m bench.red_kri_to_inbox [--triggers 100] [--poll 0.25]

A fresh database (`draxis_bench_inbox` on DATABASE_URL's cluster or the embedded one) with one
demo tenant, its KRI owned by a user, the workflow "red KRI -> task for its owner, closed when
green", one webhook endpoint, a local SMTP server (aiosmtpd) and a local receiver that verifies
every request with `standardwebhooks`. A worker thread runs the delivery pass (what the
pipeline's `notification_delivery_sensor` runs) every `--poll` seconds. Each trigger: the KRI
back to green (its task closes), then to red; the tenant's `kri_status` partition is
materialized, then `workflows` (as the automation sensor would launch it), and the clock runs
from the end of the `kri_status` materialization to the e-mail's arrival and the webhook's
verification. In a deployment the automation sensor's interval (30 s), a run's launch and the
delivery sensor's interval (15 s) come on top: they are Dagster's cadence, not this code's.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from typing import Any

import dagster as dg

from assets.database import DraxisDatabase
from assets.notify.worker import deliver_due
from assets.partitions import tenant_partitions
from assets.status.asset import kri_status
from assets.workflows.asset import workflows
from bench.db import fresh_database
from draxis.db.pool import connect
from draxis.db.roles import DbRole
from draxis.db.urls import role_conninfo
from tests.assets.workflows.kit import RED_THEN_GREEN, add_workflow, colour_kri, set_owner
from tests.factories import create_tenant, materialize_tenant
from tests.identity import create_user
from tests.notify.helpers import add_endpoint
from tests.notify.servers import Receiver, smtp_server, webhook_receiver

BENCH_DB = "draxis_bench_inbox"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _wait(condition: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the delivery did not arrive within 60 s")
        time.sleep(0.005)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--triggers", type=int, default=100)
    parser.add_argument("--poll", type=float, default=0.25, help="delivery pass interval, s")
    args = parser.parse_args()
    base = fresh_database(BENCH_DB)
    with smtp_server() as (inbox, port), webhook_receiver(Receiver()) as receiver:
        settings = base.model_copy(
            update={
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
                "smtp_starttls": False,
                "connector_allowed_networks": ["127.0.0.1/32"],
            }
        )
        app = connect(role_conninfo(settings, DbRole.APP))
        tenant = create_tenant(app, "bench")
        materialize_tenant(settings, tenant)
        owner = create_user(app, "tenant_user", tenant=tenant)
        slug = tenant.kri_slugs[0]
        set_owner(app, tenant, slug, owner.id)
        _, receiver.secret = add_endpoint(app, settings, tenant, receiver.url)
        add_workflow(app, tenant, "Red KRI", RED_THEN_GREEN)
        database = DraxisDatabase(database_url=settings.database_url)
        stop = threading.Event()

        def work() -> None:
            while not stop.is_set():
                deliver_due(database, settings)
                stop.wait(args.poll)

        def hooks() -> int:
            return sum(1 for p in receiver.verified() if p["data"]["user_id"] == str(owner.id))

        mail: list[float] = []
        hook: list[float] = []
        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        try:
            with dg.DagsterInstance.ephemeral() as instance:
                assert tenant_partitions.name is not None
                instance.add_dynamic_partitions(tenant_partitions.name, [tenant.slug])

                def run(*assets: dg.AssetsDefinition) -> float:
                    done = 0.0
                    for asset in assets:
                        result = dg.materialize(
                            [asset],
                            partition_key=tenant.slug,
                            instance=instance,
                            resources={"database": database},
                        )
                        assert result.success
                        if asset is kri_status:
                            done = time.monotonic()
                    return done

                for _ in range(args.triggers):
                    colour_kri(app, tenant, slug, "green")
                    run(kri_status, workflows)
                    mails_before, hooks_before = len(inbox.to(owner.email)), hooks()
                    colour_kri(app, tenant, slug, "red")
                    started = run(kri_status, workflows)
                    _wait(lambda n=mails_before: len(inbox.to(owner.email)) > n)
                    mail.append(time.monotonic() - started)
                    _wait(lambda n=hooks_before: hooks() > n)
                    hook.append(time.monotonic() - started)
        finally:
            stop.set()
            worker.join()
            app.close()
    print(
        f"kri_status materialization (KRI turns red) -> owner's e-mail / signed webhook,"
        f" {args.triggers} triggers, delivery pass every {args.poll}s"
    )
    for name, values in (("e-mail received", mail), ("webhook verified", hook)):
        print(
            f"  {name:17} n={len(values):4}  p50={statistics.median(values) * 1000:7.1f} ms"
            f"  p95={percentile(values, 95) * 1000:7.1f} ms  max={max(values) * 1000:7.1f} ms"
        )
    print(
        f"reproduce: .venv/bin/python -m bench.red_kri_to_inbox --triggers {args.triggers}"
        f" --poll {args.poll}"
    )


if __name__ == "__main__":
    main()

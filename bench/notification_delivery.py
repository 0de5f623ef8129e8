"""Benchmark: from a notification row to the e-mail received and the signed webhook verified.

    .venv/bin/python -m bench.notification_delivery [--notifications 100] [--poll 0.25]

A fresh database (`draxis_bench_notify` on DATABASE_URL's cluster or the embedded one), one
tenant with one webhook endpoint, a local SMTP server (aiosmtpd) and a local receiver that
verifies every request with `standardwebhooks`. A worker thread runs the delivery pass
(`assets.notify.worker.deliver_due`, what the pipeline's sensor runs) every `--poll` seconds
while the bench inserts notifications one every `--interval` seconds (`--interval 0`: a burst,
which measures the backlog: deliveries are sent one after another); each latency is from the
insert's commit to the e-mail's arrival / the webhook's verification. In production the sensor
ticks every 15 s, so add up to that interval (Dagster's sensor cadence) to these numbers.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

from assets.database import DraxisDatabase
from assets.notify.worker import deliver_due
from bench.db import fresh_database
from draxis.db.pool import connect
from draxis.db.roles import DbRole
from draxis.db.urls import role_conninfo
from tests.factories import create_tenant
from tests.notify.helpers import add_endpoint, notify_user, user_id_of
from tests.notify.servers import Receiver, smtp_server, webhook_receiver

BENCH_DB = "draxis_bench_notify"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notifications", type=int, default=100)
    parser.add_argument("--poll", type=float, default=0.25, help="worker pass interval, s")
    parser.add_argument(
        "--interval", type=float, default=0.2, help="seconds between notifications (0: a burst)"
    )
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
        _, receiver.secret = add_endpoint(app, settings, tenant, receiver.url)
        user = user_id_of(app, tenant, tenant.user_email)
        database = DraxisDatabase(database_url=settings.database_url)
        stop = threading.Event()

        def work() -> None:
            while not stop.is_set():
                deliver_due(database, settings)
                stop.wait(args.poll)

        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        inserted: dict[str, float] = {}
        for n in range(args.notifications):
            title = f"bench {n}"
            notify_user(app, tenant, user, title=title)
            inserted[title] = time.monotonic()
            time.sleep(args.interval)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and (
            len(inbox.arrivals) < args.notifications
            or len(receiver.verified()) < args.notifications
        ):
            time.sleep(0.1)
        stop.set()
        worker.join()
        app.close()
    mail = [at - inserted[subject] for at, subject in inbox.arrivals if subject in inserted]
    hooks = [
        r.at - inserted[r.verified["data"]["title"]]
        for r in receiver.requests
        if r.verified is not None and r.verified["data"]["title"] in inserted
    ]
    print(
        f"notification -> delivery, {args.notifications} notifications,"
        f" one every {args.interval}s, worker pass every {args.poll}s"
    )
    for name, values in (("e-mail received", mail), ("webhook verified", hooks)):
        print(
            f"  {name:17} n={len(values):4}  p50={statistics.median(values) * 1000:7.1f} ms"
            f"  p95={percentile(values, 95) * 1000:7.1f} ms  max={max(values) * 1000:7.1f} ms"
        )
    print(
        "reproduce: .venv/bin/python -m bench.notification_delivery --notifications 100"
        f" --interval {args.interval} --poll {args.poll}"
    )


if __name__ == "__main__":
    main()

"""Benchmark: the dashboard's first render in Debian's Chromium, as a tenant admin of the demo.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m bench.first_render [--runs 7]

Builds its own database `draxis_bench_first_render` (migrated, the demo seeded, every cell
materialized in an ephemeral Dagster instance), serves the built web client (`make web`) with
the real API on a loopback port, signs in as admin@acme.example, then loads `/` `--runs` times
in fresh pages that share the sign-in (the refresh cookie) and prints, per run and as medians:

- first contentful paint (the browser's `paint` timing);
- DOMContentLoaded and load (navigation timing);
- dashboard ready: navigation start → the last KRI tile in the DOM (the API's answer rendered),
  measured in the page with `performance.now()` when the tiles appear.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import uvicorn
from playwright.sync_api import sync_playwright

from api.main import create_app
from assets.database import DraxisDatabase
from bench.db import fresh_database
from cli.db import DEFAULT_DEMO_PASSWORD as PASSWORD
from cli.seed.demo import seed_demo
from cli.serve import server_config
from draxis.db.pool import connect
from draxis.db.roles import DbRole
from draxis.db.urls import role_conninfo
from draxis.settings import Settings
from pipelines.bootstrap_runs import materialize_all

BENCH_DB = "draxis_bench_first_render"
EMAIL = "admin@acme.example"
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Resolves once the tiles are in the DOM: the moment the dashboard shows its data.
READY = """() => new Promise((resolve) => {
  const done = () => document.querySelectorAll('[data-testid=kri-tile]').length > 0;
  if (done()) return resolve(performance.now());
  new MutationObserver((_, observer) => {
    if (done()) { observer.disconnect(); resolve(performance.now()); }
  }).observe(document.body, { childList: true, subtree: true });
})"""
TIMINGS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  return { fcp: fcp ? fcp.startTime : null, dcl: nav.domContentLoadedEventEnd,
           load: nav.loadEventEnd };
}"""


def prepare() -> Settings:
    settings = fresh_database(BENCH_DB)
    with connect(role_conninfo(settings, DbRole.APP)) as conn:
        seed_demo(conn, PASSWORD)
    with dg.DagsterInstance.ephemeral() as instance:
        summary = materialize_all(instance, DraxisDatabase(database_url=settings.database_url))
    # The dashboard needs each tenant's cells, colours and postures; the carrier projection is
    # another page's, so its failure is reported, not fatal.
    tenant_failures = [f for f in summary.failed if f != "carrier_portfolio"]
    assert not tenant_failures, tenant_failures
    if summary.failed:
        print(f"not materialized (not on the dashboard): {summary.failed}")
    return settings


@contextmanager
def serving(settings: Settings, port: int = 18731) -> Iterator[str]:
    loopback = settings.model_copy(update={"host": "127.0.0.1"})
    server = uvicorn.Server(server_config(create_app(loopback), loopback, port))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("DRAXIS_LOG_LEVEL", "WARNING")
    started = time.perf_counter()
    settings = prepare()
    print(f"prepared {BENCH_DB} in {time.perf_counter() - started:.1f} s")
    rows: list[dict[str, float]] = []
    with serving(settings) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{base}/login")
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector("[data-testid=kri-tile]")
        page.close()
        for run in range(args.runs):
            page = context.new_page()
            page.goto(f"{base}/", wait_until="commit")
            ready = float(page.evaluate(READY))
            page.wait_for_load_state("load")
            timing = page.evaluate(TIMINGS)
            row = {
                "fcp": timing["fcp"] or float("nan"),
                "dcl": timing["dcl"],
                "load": timing["load"],
            }
            row["ready"] = ready
            rows.append(row)
            print(
                f"run {run + 1}: first paint {row['fcp']:.0f} ms, DOMContentLoaded {row['dcl']:.0f}"
                f" ms, load {row['load']:.0f} ms, dashboard ready {row['ready']:.0f} ms"
            )
            page.close()
        browser.close()
    median = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    print(
        f"median of {len(rows)}: first paint {median['fcp']:.0f} ms, DOMContentLoaded"
        f" {median['dcl']:.0f} ms, load {median['load']:.0f} ms,"
        f" dashboard ready (tiles rendered) {median['ready']:.0f} ms"
    )
    print("reproduce: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres")
    print("           .venv/bin/python -m bench.first_render --runs 7   (after `make web`)")


if __name__ == "__main__":
    main()

"""Benchmark: the dashboard's first render in Debian's Chromium, with its trend, heat map and
sparklines.

    .venv/bin/python -m bench.dashboard_render [--repeat 5]

Builds its own database (`draxis_bench_render`), one demo tenant (37 KRIs, 180 days of history,
a risk model) rolled up by the pipeline's assets (which also backfill its posture history),
serves the built web client (`make web`) with the real API on loopback, signs in once, then
times each fresh load of `/` until the KRI tiles, the posture trend, the heat map and the
sparklines are all on screen. Prints the median and range.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from playwright.sync_api import sync_playwright

from bench.db import fresh_database
from tests.api.test_scores_api import _model, _roll_up
from tests.browser_kit import CHROMIUM, CHROMIUM_FLAGS
from tests.factories import PASSWORD, create_tenant, materialize_tenant
from tests.identity import create_user
from tests.live import serving

DATABASE = "draxis_bench_render"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DRAXIS_ENVIRONMENT", "test")
    settings = fresh_database(DATABASE)
    from draxis.db.pool import connect
    from draxis.db.roles import DbRole
    from draxis.db.urls import role_conninfo

    with (
        connect(role_conninfo(settings, DbRole.APP)) as app_conn,
        connect(role_conninfo(settings, DbRole.PIPELINE)) as pipeline_conn,
    ):
        create_user(app_conn, "superadmin")  # a platform that is set up: no first-run page
        tenant = create_tenant(app_conn, "render")
        materialize_tenant(settings, tenant)
        _model(app_conn, pipeline_conn, tenant)
        _roll_up(settings, tenant)
    times: list[float] = []
    with serving(settings) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.goto(f"{url}/login")
        page.get_by_label("Email").fill(tenant.user_email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_test_id("kri-tile").first.wait_for()
        for _ in range(args.repeat):
            started = time.perf_counter()
            page.goto(f"{url}/")
            page.get_by_test_id("kri-tile").first.wait_for()
            page.get_by_test_id("posture-history").wait_for()
            page.get_by_test_id("heatmap").wait_for()
            page.get_by_test_id("kri-sparkline").first.wait_for()
            times.append(time.perf_counter() - started)
        browser.close()
    print(
        f"dashboard first render (tiles, trend, heat map, sparklines), {args.repeat} loads:"
        f" median {statistics.median(times) * 1000:.0f} ms"
        f" (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})"
    )
    print(f"reproduce: .venv/bin/python -m bench.dashboard_render --repeat {args.repeat}")


if __name__ == "__main__":
    main()

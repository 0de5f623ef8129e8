"""Benchmark: evaluating N submitted assessments with the offline analyst.

    .venv/bin/python -m bench.assessment_evaluation [--assessments 200] [--evidence-kb 200]

A fresh database (`draxis_bench_evaluation` on DATABASE_URL's cluster or the embedded one), one
tenant, N assessments of the sample questionnaire (`tests/tprm/kit.py`: a text answer and a
file answer to evaluate, each with a text evidence file of `--evidence-kb` KB) submitted and
pending; then one pass of `assets.tprm.evaluate.evaluate_pending` (what the evaluation job
runs), timed: claim, read, evaluate by rules, write, audit and notify, per assessment.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from assets.database import DraxisDatabase
from assets.tprm.evaluate import evaluate_pending
from bench.db import fresh_database
from draxis.db.pool import connect
from draxis.db.roles import DbRole
from draxis.db.urls import role_conninfo
from panel.assessment_offline import OfflineEvaluator
from tests.factories import create_tenant
from tests.tprm.submitted import SOC2, submit

BENCH_DB = "draxis_bench_evaluation"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assessments", type=int, default=200)
    parser.add_argument("--evidence-kb", type=int, default=200)
    args = parser.parse_args()
    settings = fresh_database(BENCH_DB)
    app = connect(role_conninfo(settings, DbRole.APP))
    tenant = create_tenant(app, "bench")
    filler = b" Controls tested without exception." * (args.evidence_kb * 1024 // 35)
    report = SOC2 + filler
    started = time.perf_counter()
    for _ in range(args.assessments):
        submit(app, tenant, files={"soc2": [("soc2-report.txt", "text/plain", report)]})
    setup = time.perf_counter() - started
    app.close()
    database = DraxisDatabase(database_url=settings.database_url)
    started = time.perf_counter()
    summary = asyncio.run(
        evaluate_pending(database, OfflineEvaluator(), limit=args.assessments + 1)
    )
    elapsed = time.perf_counter() - started
    assert summary.done == args.assessments, summary
    print(
        f"offline evaluation of {args.assessments} assessments"
        f" (2 answers each, {args.evidence_kb} KB of evidence): {elapsed:.2f} s,"
        f" {elapsed / args.assessments * 1000:.1f} ms per assessment (setup {setup:.1f} s)"
    )
    print(
        "reproduce: .venv/bin/python -m bench.assessment_evaluation"
        f" --assessments {args.assessments} --evidence-kb {args.evidence_kb}"
    )


if __name__ == "__main__":
    main()

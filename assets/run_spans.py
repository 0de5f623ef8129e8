"""Traces and counters of Dagster runs, which have no OpenTelemetry support of their own.

A run gets a `dagster.run` span around its asset's work (run id, job, asset, partitions), the
child of the Run-now request's trace when its tags carry one (`draxis/traceparent`); each
partition cell a `dagster.partition` span under it (partition, rows written). At the end of the
run, batched spans and metrics are flushed: the run worker may exit right after. Runs are
counted on `draxis.pipeline.runs` by `pipelines.run_counting`, for every job.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from opentelemetry.trace import Span

from assets.run_tags import TRACEPARENT_TAG
from draxis import telemetry
from draxis.telemetry.propagation import context_of

TRACER = "draxis.pipeline"


@contextmanager
def run_span(context: dg.AssetExecutionContext, asset: str) -> Iterator[Span]:
    """The run's span, with its status (success, failure or canceled); flushed at its end."""
    current = telemetry.current()
    parent = context_of(context.run.tags.get(TRACEPARENT_TAG))
    status = "failure"
    attributes = {
        "dagster.run_id": context.run.run_id,
        "dagster.job": context.job_name,
        "dagster.asset": asset,
        "dagster.partition_count": (
            len(context.partition_keys)
            if context.has_partition_key or context.has_partition_key_range
            else 0
        ),
    }
    try:
        with current.tracer(TRACER).start_as_current_span(
            "dagster.run", context=parent, attributes=attributes
        ) as span:
            try:
                yield span
                status = "success"
            except dg.DagsterExecutionInterruptedError:
                status = "canceled"
                raise
            finally:
                span.set_attribute("dagster.run.status", status)
    finally:
        current.flush()


@contextmanager
def partition_span(context: dg.AssetExecutionContext, asset: str, partition: str) -> Iterator[Span]:
    """One partition cell's span; the caller sets `draxis.rows_written` (`rows_written`)."""
    with (
        telemetry.current()
        .tracer(TRACER)
        .start_as_current_span(
            "dagster.partition",
            attributes={
                "dagster.run_id": context.run.run_id,
                "dagster.asset": asset,
                "dagster.partition": partition,
            },
        ) as span
    ):
        yield span


def rows_written(span: Span, asset: str, rows: int) -> None:
    """Record a cell's (or a batch's) rows on its span and on `draxis.pipeline.rows_written`."""
    span.set_attribute("draxis.rows_written", rows)
    telemetry.current().instruments.rows_written.add(rows, {"asset": asset})

"""Telemetry captured in memory: the process's real providers, with an in-memory span exporter
(behind the same redacting exporter production uses) and an in-memory metric reader."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from draxis.telemetry import Telemetry, install


@dataclass
class Captured:
    telemetry: Telemetry
    exporter: InMemorySpanExporter
    reader: InMemoryMetricReader

    def spans(self) -> list[ReadableSpan]:
        self.telemetry.flush()
        return list(self.exporter.get_finished_spans())

    def named(self, name: str) -> list[ReadableSpan]:
        return [s for s in self.spans() if s.name == name]

    def points(self, metric: str) -> list[tuple[dict[str, Any], Any]]:
        """(attributes, data point) of every point of `metric` collected now."""
        data = self.reader.get_metrics_data()
        found: list[tuple[dict[str, Any], Any]] = []
        if data is None:
            return found
        for resource_metrics in data.resource_metrics:
            for scope_metrics in resource_metrics.scope_metrics:
                for metric_data in scope_metrics.metrics:
                    if metric_data.name == metric:
                        found.extend(
                            (dict(p.attributes or {}), p) for p in metric_data.data.data_points
                        )
        return found


@pytest.fixture
def captured() -> Iterator[Captured]:
    exporter = InMemorySpanExporter()
    reader = InMemoryMetricReader()
    telemetry = Telemetry.build("draxis-test", exporter, [reader], batch=False)
    previous = install(telemetry)
    try:
        yield Captured(telemetry, exporter, reader)
    finally:
        install(previous)
        telemetry.shutdown()


def parent_id(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


def span_id(span: ReadableSpan) -> int:
    assert span.context is not None
    return int(span.context.span_id)


def trace_id(span: ReadableSpan) -> int:
    assert span.context is not None
    return int(span.context.trace_id)


def ancestors(span: ReadableSpan, spans: list[ReadableSpan]) -> list[str]:
    """The names of `span`'s ancestors, nearest first, as far as they were captured."""
    by_id = {span_id(s): s for s in spans}
    names = []
    current = by_id.get(parent_id(span) or 0)
    while current is not None:
        names.append(current.name)
        current = by_id.get(parent_id(current) or 0)
    return names


def every_text(spans: list[ReadableSpan]) -> list[str]:
    """Every string a span says: names, attribute keys and values, event attributes."""
    texts: list[str] = []
    for span in spans:
        texts.append(span.name)
        texts.append(span.status.description or "")
        for attributes in [span.attributes, *(e.attributes for e in span.events)]:
            for key, value in (attributes or {}).items():
                texts.append(key)
                values = value if isinstance(value, tuple | list) else [value]
                texts.extend(str(v) for v in values)
        texts.extend(str(v) for v in span.resource.attributes.values())
    return texts

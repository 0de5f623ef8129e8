"""The process's telemetry: its tracer and meter providers and the instruments built on them.

Exporters by `DRAXIS_OTEL_EXPORTER`:
- `none` (the default outside production): no SDK provider at all; tracers and meters are
  OpenTelemetry's no-ops, nothing is instrumented, logs carry no trace ids;
- `otlp`: OTLP over HTTP to `OTEL_EXPORTER_OTLP_ENDPOINT` (a collector; the SDK reads the
  standard `OTEL_EXPORTER_OTLP_*` variables);
- `gcp` (the default in production): Cloud Trace and Cloud Monitoring through Google's
  exporters (installed with the `deploy` extra; the image has them).

Spans always pass through `RedactingSpanExporter` and a batch processor, off the request path.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
)

from draxis.telemetry.instruments import Instruments
from draxis.telemetry.proxy import CurrentTracerProvider
from draxis.telemetry.redaction import RedactingSpanExporter

if TYPE_CHECKING:
    from draxis.settings import Settings

SCOPE = "draxis"
log = logging.getLogger("draxis.telemetry")
# The stable HTTP semantic conventions (`http.response.status_code`, `url.full`, ...), the names
# our own metric uses; the instrumentations read this once, when the first of them instruments.
os.environ.setdefault("OTEL_SEMCONV_STABILITY_OPT_IN", "http")


@dataclass
class Telemetry:
    """Providers and instruments; `enabled` is False when nothing is recorded."""

    tracer_provider: trace.TracerProvider
    meter_provider: metrics.MeterProvider
    instruments: Instruments
    enabled: bool
    sdk_tracer: TracerProvider | None = None
    sdk_meter: MeterProvider | None = None
    readers: list[MetricReader] = field(default_factory=list)

    @classmethod
    def disabled(cls) -> Telemetry:
        meter_provider = metrics.NoOpMeterProvider()
        return cls(
            tracer_provider=trace.NoOpTracerProvider(),
            meter_provider=meter_provider,
            instruments=Instruments.create(meter_provider.get_meter(SCOPE)),
            enabled=False,
        )

    @classmethod
    def build(
        cls,
        service: str,
        span_exporter: SpanExporter,
        readers: Sequence[MetricReader],
        *,
        batch: bool = True,
    ) -> Telemetry:
        """SDK providers: spans (redacted) to `span_exporter`, metrics to `readers`."""
        resource = Resource.create({"service.name": service, "service.namespace": "draxis"})
        tracer_provider = TracerProvider(resource=resource, shutdown_on_exit=False)
        redacting = RedactingSpanExporter(span_exporter)
        tracer_provider.add_span_processor(
            BatchSpanProcessor(redacting) if batch else SimpleSpanProcessor(redacting)
        )
        meter_provider = MeterProvider(
            metric_readers=list(readers), resource=resource, shutdown_on_exit=False
        )
        return cls(
            tracer_provider=tracer_provider,
            meter_provider=meter_provider,
            instruments=Instruments.create(meter_provider.get_meter(SCOPE)),
            enabled=True,
            sdk_tracer=tracer_provider,
            sdk_meter=meter_provider,
            readers=list(readers),
        )

    def tracer(self, name: str = SCOPE) -> trace.Tracer:
        return self.tracer_provider.get_tracer(name)

    def flush(self) -> None:
        """Export what is batched (a run worker calls it before it exits)."""
        if self.sdk_tracer is not None:
            self.sdk_tracer.force_flush()
        if self.sdk_meter is not None:
            self.sdk_meter.force_flush()

    def shutdown(self) -> None:
        if self.sdk_tracer is not None:
            self.sdk_tracer.shutdown()
        if self.sdk_meter is not None:
            self.sdk_meter.shutdown()


_current = Telemetry.disabled()
_configured = False
_lock = threading.Lock()


def current() -> Telemetry:
    return _current


# What instrumentations get: spans go to whichever telemetry the process has when they start.
INSTRUMENTATION_PROVIDER = CurrentTracerProvider(lambda: _current.tracer_provider)


def install(telemetry: Telemetry) -> Telemetry:
    """Make `telemetry` the process's (tests, benches); returns the one it replaces."""
    global _current
    with _lock:
        previous, _current = _current, telemetry
    return previous


def exporters_for(settings: Settings) -> tuple[SpanExporter, list[MetricReader]]:
    """The span exporter and metric readers `settings` choose (otlp or gcp)."""
    interval_ms = settings.otel_metric_interval_seconds * 1000
    if settings.telemetry_exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter(), [
            PeriodicExportingMetricReader(OTLPMetricExporter(), export_interval_millis=interval_ms)
        ]
    try:
        from opentelemetry.exporter.cloud_monitoring import CloudMonitoringMetricsExporter
        from opentelemetry.exporter.cloud_trace import CloudTraceSpanExporter
    except ImportError as exc:  # the image installs the deploy extra; a developer may not have it
        raise RuntimeError(
            "DRAXIS_OTEL_EXPORTER=gcp needs the deploy extra (opentelemetry-exporter-gcp-trace,"
            " opentelemetry-exporter-gcp-monitoring): uv sync --extra deploy"
        ) from exc
    project = settings.google_cloud_project
    return CloudTraceSpanExporter(project_id=project), [
        PeriodicExportingMetricReader(
            CloudMonitoringMetricsExporter(project_id=project), export_interval_millis=interval_ms
        )
    ]


def configure_telemetry(settings: Settings) -> Telemetry:
    """The process's telemetry from its settings, built once; also OpenTelemetry's globals, so
    libraries that trace on their own (the Anthropic SDK) join the same traces."""
    global _configured
    with _lock:
        if _configured or settings.telemetry_exporter == "none":
            return _current
        _configured = True
    try:
        span_exporter, readers = exporters_for(settings)
    except Exception as exc:
        # No credentials for Google's APIs (the image's offline smoke), the exporters not
        # installed: the process serves without telemetry rather than not at all, and says so.
        log.error(
            "telemetry is off: its exporters could not be set up",
            extra={"exporter": settings.telemetry_exporter, "error": str(exc)},
        )
        return _current
    telemetry = Telemetry.build(f"draxis-{settings.process}", span_exporter, readers)
    trace.set_tracer_provider(telemetry.tracer_provider)
    metrics.set_meter_provider(telemetry.meter_provider)
    install(telemetry)
    atexit.register(telemetry.shutdown)
    return telemetry

"""OpenTelemetry for every process: traces and metrics, exported as the settings choose.

`configure_telemetry(settings)` once per process (the API's factory, the Dagster code location);
everything else asks `current()` for its tracer and instruments, so tests can install an
in-memory pipeline of their own (`Telemetry.in_memory`). See docs/telemetry.md.
"""

from draxis.telemetry.state import (
    INSTRUMENTATION_PROVIDER,
    Telemetry,
    configure_telemetry,
    current,
    install,
)

__all__ = ["INSTRUMENTATION_PROVIDER", "Telemetry", "configure_telemetry", "current", "install"]

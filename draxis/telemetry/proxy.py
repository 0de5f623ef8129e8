"""A tracer provider that always means "the process's telemetry as it is now".

Instrumentations take their tracer once, when they instrument (a pooled connection, an HTTP
client, the app). Handing them this provider instead of the SDK's lets the process replace its
telemetry later (tests and benches install in-memory pipelines) without re-instrumenting:
every span is started by whatever `current()` holds at that moment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from opentelemetry import trace
from opentelemetry.util import types


class CurrentTracer(trace.ProxyTracer):
    def __init__(
        self,
        provider: Callable[[], trace.TracerProvider],
        name: str,
        version: str | None = None,
        schema_url: str | None = None,
        attributes: types.Attributes = None,
    ) -> None:
        super().__init__(name, version, schema_url, attributes)
        self._provider = provider
        self._cache: tuple[trace.TracerProvider, trace.Tracer] | None = None

    @property
    def _tracer(self) -> trace.Tracer:
        provider = self._provider()
        cache = self._cache
        if cache is None or cache[0] is not provider:
            tracer = provider.get_tracer(
                self._instrumenting_module_name,
                self._instrumenting_library_version,
                self._schema_url,
                self._attributes,
            )
            self._cache = cache = (provider, tracer)
        return cache[1]


class CurrentTracerProvider(trace.TracerProvider):
    def __init__(self, provider: Callable[[], trace.TracerProvider]) -> None:
        self._provider = provider

    def get_tracer(
        self,
        instrumenting_module_name: str,
        instrumenting_library_version: str | None = None,
        schema_url: str | None = None,
        attributes: types.Attributes = None,
        *args: Any,
        **kwargs: Any,
    ) -> trace.Tracer:
        return CurrentTracer(
            self._provider,
            instrumenting_module_name,
            instrumenting_library_version,
            schema_url,
            attributes,
        )

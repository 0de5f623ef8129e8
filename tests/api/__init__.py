"""Tests of the web tier (`api/`): routes, permissions, throttles, the OpenAPI fuzz, the browser."""

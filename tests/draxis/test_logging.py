"""Logs are JSON lines with the request id, and never carry a secret."""

from __future__ import annotations

import json
import logging

import pytest

from draxis.log import REDACTED, JsonFormatter, redact, request_id


def test_secret_keys_are_redacted_recursively() -> None:
    payload = {
        "email": "a@b.c",
        "password": "hunter2",
        "nested": {"api_key": "k", "n": 1},
        "headers": [{"Authorization": "Bearer x"}],
    }
    assert redact(payload) == {
        "email": "a@b.c",
        "password": REDACTED,
        "nested": {"api_key": REDACTED, "n": 1},
        "headers": [{"Authorization": REDACTED}],
    }


def test_json_lines_carry_the_request_id_and_redact_extras(
    caplog: pytest.LogCaptureFixture,
) -> None:
    record = logging.LogRecord("draxis.test", logging.INFO, __file__, 1, "hello %s", ("x",), None)
    record.client_secret = "s3cret"
    record.tenant = "acme"
    token = request_id.set("req-12345678")
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert line["msg"] == "hello x"
    assert line["request_id"] == "req-12345678"
    assert line["tenant"] == "acme"
    assert line["client_secret"] == REDACTED

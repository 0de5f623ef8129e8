"""Validate a source's form against its connector's declared fields. Pure; no I/O.

A connector declares its `config_fields`; secret ones arrive as `credentials` (sealed at rest,
never returned), the others as plain `config`. Errors are collected per field so the API can
answer one 422 that lists them all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Set
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from connectors.base import ConfigField, Connector
from connectors.numeric_host import numeric_host_problem

MAX_VALUE_LENGTH = 8_000  # a Google service-account key is about 2,300 characters
_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")  # of a name, after IDNA


@dataclass(frozen=True, slots=True)
class SourceForm:
    config: dict[str, Any]
    credentials: dict[str, str]  # only the secrets given in this request


class SourceFormError(ValueError):
    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in sorted(self.errors.items())))


def validate_source_form(
    connector: Connector,
    config: Mapping[str, Any],
    credentials: Mapping[str, str],
    *,
    stored_secrets: Set[str] = frozenset(),
    partial: bool = False,
) -> SourceForm:
    """Check `config` and `credentials` against the connector's fields.

    On create (`partial=False`) every required field must be present; on update only the fields
    sent are checked, and a required secret already stored (`stored_secrets`) may be left out.
    Unknown fields, secrets sent as config and config sent as secrets are refused by name.
    """
    fields = {f.name: f for f in connector.config_fields}
    errors: dict[str, str] = {}
    clean_config: dict[str, Any] = {}
    clean_secrets: dict[str, str] = {}
    for name, value in config.items():
        spec = fields.get(name)
        if spec is None:
            errors[f"config.{name}"] = f"{connector.display_name} has no field {name!r}"
        elif spec.secret:
            errors[f"config.{name}"] = "is a secret: send it in credentials"
        else:
            problem, clean = _check(spec, value)
            if problem:
                errors[f"config.{name}"] = problem
            else:
                clean_config[name] = clean
    for name, value in credentials.items():
        spec = fields.get(name)
        if spec is None:
            errors[f"credentials.{name}"] = f"{connector.display_name} has no field {name!r}"
        elif not spec.secret:
            errors[f"credentials.{name}"] = "is not a secret: send it in config"
        elif not isinstance(value, str) or not value.strip():
            errors[f"credentials.{name}"] = "must be a non-empty string"
        elif len(value) > MAX_VALUE_LENGTH:
            errors[f"credentials.{name}"] = f"is longer than {MAX_VALUE_LENGTH} characters"
        else:
            clean_secrets[name] = value.strip()
    if not partial:
        for spec in connector.config_fields:
            given = credentials if spec.secret else config
            if spec.name in given or (spec.secret and spec.name in stored_secrets):
                continue
            if spec.default is not None and not spec.secret:
                clean_config[spec.name] = spec.default
            elif spec.required:
                where = "credentials" if spec.secret else "config"
                errors[f"{where}.{spec.name}"] = f"{spec.label} is required"
    if errors:
        raise SourceFormError(errors)
    return SourceForm(config=clean_config, credentials=clean_secrets)


def _check(spec: ConfigField, value: Any) -> tuple[str | None, Any]:
    """(problem, cleaned value) for one non-secret field."""
    if spec.kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int | str):
            return "must be a whole number", None
        try:
            return None, int(value)
        except ValueError:
            return "must be a whole number", None
    if not isinstance(value, str):
        return "must be a string", None
    text = value.strip()
    if len(text) > MAX_VALUE_LENGTH:
        return f"is longer than {MAX_VALUE_LENGTH} characters", None
    if spec.required and not text:
        return f"{spec.label} is required", None
    if spec.kind == "choice" and text not in spec.choices:
        return f"must be one of {', '.join(spec.choices)}", None
    if spec.kind == "url" and text:
        problem = _url_problem(text)
        if problem:
            return problem, None
        text = text.rstrip("/")
    return None, text


def _url_problem(text: str) -> str | None:
    """Why `text` is not a URL a connector may be pointed at, or None."""
    try:
        parts = urlsplit(text)
        hostname = parts.hostname
    except ValueError:  # an unclosed IPv6 bracket, say
        return "is not a valid URL"
    if parts.scheme != "https" or not hostname:
        return "must be an https:// URL"
    if parts.username or parts.password:
        return "must not carry credentials (use the credential fields)"
    if parts.query or parts.fragment:
        return "must not carry a query string or fragment"
    numeric = numeric_host_problem(hostname)
    if numeric:
        return numeric
    # What the connector's HTTP client will make of it: a URL it cannot parse is refused here,
    # not when the source is first tested or run.
    try:
        host = httpx.URL(text).raw_host.decode("ascii")
    except (httpx.InvalidURL, UnicodeError):
        return "is not a valid URL"
    name = host[:-1] if host.endswith(".") else host  # a fully qualified name may end in "."
    if ":" not in host and not all(_HOST_LABEL.match(label) for label in name.split(".")):
        return "is not a valid URL"
    return None

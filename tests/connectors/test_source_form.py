"""validate_source_form: every rule of a source's form, checked without any I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from connectors.base import (
    AuthType,
    ConfigField,
    ConnectorContext,
    KriSpec,
    ProbeResult,
    RunResult,
    SourceType,
)
from connectors.demo import DemoConnector
from connectors.source_form import (
    MAX_VALUE_LENGTH,
    SourceFormError,
    validate_source_form,
)
from tests.factories import TenantFixture
from tests.identity import bearer, login


@dataclass
class FormConnector:
    vendor_id: str = "form-vendor"
    source_type: SourceType = "vendor_api"
    display_name: str = "Form Vendor"
    auth_type: AuthType = "api_key"
    base_url: str | None = None
    config_fields: tuple[ConfigField, ...] = (
        ConfigField("api_url", "API URL", kind="url"),
        ConfigField("region", "Region", kind="choice", choices=("eu", "us"), default="eu"),
        ConfigField("page_size", "Page size", kind="integer", required=False),
        ConfigField("timezone", "Time zone", required=False, default="UTC"),
        ConfigField("note", "Note", required=False),
        ConfigField("proxy_url", "Proxy URL", kind="url", required=False),
        ConfigField("api_token", "API token", kind="secret"),
        ConfigField("extra_secret", "Extra secret", kind="secret", required=False),
    )
    kris: tuple[KriSpec, ...] = ()

    # Only its form is under test here; it is never probed or run.
    def test(self, ctx: ConnectorContext) -> ProbeResult:
        raise AssertionError("the form tests never probe")

    def run(self, ctx: ConnectorContext) -> RunResult:
        raise AssertionError("the form tests never run a connector")


C = FormConnector()
GOOD_CONFIG: dict[str, Any] = {"api_url": "https://api.example.com", "region": "us"}
GOOD_SECRETS = {"api_token": "tok-123"}


def errors_of(config: dict[str, Any], credentials: dict[str, Any], **kw: Any) -> dict[str, str]:
    with pytest.raises(SourceFormError) as caught:
        validate_source_form(C, config, credentials, **kw)
    return caught.value.errors


def test_a_complete_form_is_cleaned() -> None:
    form = validate_source_form(
        C,
        {**GOOD_CONFIG, "api_url": "  https://api.example.com/v1/ ", "note": "  hi  "},
        {"api_token": "  tok-123\n"},
    )
    assert form.config == {
        "api_url": "https://api.example.com/v1",
        "region": "us",
        "note": "hi",
        "timezone": "UTC",
    }
    assert form.credentials == {"api_token": "tok-123"}


def test_a_required_field_with_a_default_is_filled_and_others_are_required() -> None:
    form = validate_source_form(C, {"api_url": "https://a.example"}, GOOD_SECRETS)
    assert form.config == {"api_url": "https://a.example", "region": "eu", "timezone": "UTC"}
    assert errors_of({}, {}) == {
        "config.api_url": "API URL is required",
        "credentials.api_token": "API token is required",
    }


def test_demo_profile_default_is_filled() -> None:
    assert validate_source_form(DemoConnector(), {}, {}).config == {"profile": "mixed"}
    with pytest.raises(SourceFormError) as caught:
        validate_source_form(DemoConnector(), {"profile": "awful"}, {})
    assert caught.value.errors == {"config.profile": "must be one of healthy, mixed, poor"}


def test_every_error_is_listed_at_once() -> None:
    errors = errors_of(
        {"api_url": "http://a.example", "bogus": 1, "api_token": "leak", "page_size": "x"},
        {"region": "eu", "nope": "v", "extra_secret": "   "},
    )
    assert set(errors) == {
        "config.api_url",
        "config.bogus",
        "config.api_token",
        "config.page_size",
        "credentials.region",
        "credentials.nope",
        "credentials.extra_secret",
        "credentials.api_token",  # sent in config, so missing from credentials
    }
    assert errors["config.api_token"] == "is a secret: send it in credentials"
    assert errors["credentials.region"] == "is not a secret: send it in config"
    assert "no field 'bogus'" in errors["config.bogus"]
    assert "no field 'nope'" in errors["credentials.nope"]
    assert errors["credentials.extra_secret"] == "must be a non-empty string"
    # The message names fields, never a secret's value.
    with pytest.raises(SourceFormError) as caught:
        validate_source_form(C, {"api_token": "leak-value"}, {})
    assert "leak-value" not in str(caught.value)
    assert "leak-value" not in repr(caught.value.errors)


def test_stored_secrets_satisfy_required_ones() -> None:
    form = validate_source_form(C, GOOD_CONFIG, {}, stored_secrets={"api_token"})
    assert form.credentials == {}
    # A stored secret of another name does not.
    assert set(errors_of(GOOD_CONFIG, {}, stored_secrets={"extra_secret"})) == {
        "credentials.api_token"
    }


def test_partial_updates_check_only_what_is_sent() -> None:
    form = validate_source_form(C, {"page_size": "50"}, {}, partial=True)
    assert form.config == {"page_size": 50}
    assert validate_source_form(C, {}, {}, partial=True).config == {}
    assert errors_of({"api_url": "ftp://x"}, {}, partial=True) == {
        "config.api_url": "must be an https:// URL"
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [(42, 42), ("42", 42), (" 7 ", 7), ("-3", -3), (0, 0)],
)
def test_integers_parse(value: Any, expected: int) -> None:
    form = validate_source_form(C, {**GOOD_CONFIG, "page_size": value}, GOOD_SECRETS)
    assert form.config["page_size"] == expected
    assert isinstance(form.config["page_size"], int)


@pytest.mark.parametrize("value", [True, False, 4.5, "4.5", "", "ten", None, [1], {"a": 1}])
def test_non_integers_are_refused(value: Any) -> None:
    assert errors_of({**GOOD_CONFIG, "page_size": value}, GOOD_SECRETS) == {
        "config.page_size": "must be a whole number"
    }


def test_choices() -> None:
    assert (
        validate_source_form(C, {**GOOD_CONFIG, "region": " eu "}, GOOD_SECRETS).config["region"]
        == "eu"
    )
    assert errors_of({**GOOD_CONFIG, "region": "apac"}, GOOD_SECRETS) == {
        "config.region": "must be one of eu, us"
    }
    assert errors_of({**GOOD_CONFIG, "region": "EU"}, GOOD_SECRETS) == {
        "config.region": "must be one of eu, us"
    }


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://api.example.com", "must be an https:// URL"),
        ("api.example.com", "must be an https:// URL"),
        ("https://", "must be an https:// URL"),
        ("https:///path", "must be an https:// URL"),
        ("ftp://api.example.com", "must be an https:// URL"),
        (
            "https://user:pw@api.example.com",
            "must not carry credentials (use the credential fields)",
        ),
        ("https://user@api.example.com", "must not carry credentials (use the credential fields)"),
        ("https://api.example.com/?token=x", "must not carry a query string or fragment"),
        ("https://api.example.com/#frag", "must not carry a query string or fragment"),
    ],
)
def test_url_rules(url: str, problem: str) -> None:
    assert errors_of({**GOOD_CONFIG, "api_url": url}, GOOD_SECRETS) == {"config.api_url": problem}


def test_good_urls_lose_trailing_slashes_and_an_optional_one_may_be_empty() -> None:
    form = validate_source_form(
        C,
        {**GOOD_CONFIG, "api_url": "https://api.example.com:8443/base//", "proxy_url": ""},
        GOOD_SECRETS,
    )
    assert form.config["api_url"] == "https://api.example.com:8443/base"
    assert form.config["proxy_url"] == ""


def test_a_required_field_sent_blank_is_refused() -> None:
    assert errors_of({**GOOD_CONFIG, "api_url": "   "}, GOOD_SECRETS) == {
        "config.api_url": "API URL is required"
    }


@pytest.mark.parametrize("value", [5, None, ["https://a.example"], True])
def test_text_fields_must_be_strings(value: Any) -> None:
    assert errors_of({**GOOD_CONFIG, "note": value}, GOOD_SECRETS) == {
        "config.note": "must be a string"
    }


def test_length_limit_on_config_and_secrets() -> None:
    at_limit = "x" * MAX_VALUE_LENGTH
    form = validate_source_form(C, {**GOOD_CONFIG, "note": at_limit}, {"api_token": at_limit})
    assert form.config["note"] == at_limit
    assert form.credentials["api_token"] == at_limit
    over = at_limit + "x"
    assert errors_of({**GOOD_CONFIG, "note": over}, {"api_token": over}) == {
        "config.note": f"is longer than {MAX_VALUE_LENGTH} characters",
        "credentials.api_token": f"is longer than {MAX_VALUE_LENGTH} characters",
    }


@pytest.mark.parametrize("value", ["", "   ", "\n", 5, None])
def test_secrets_must_be_non_empty_strings(value: Any) -> None:
    assert errors_of(GOOD_CONFIG, {"api_token": value}) == {
        "credentials.api_token": "must be a non-empty string"
    }


def test_the_error_message_lists_every_field() -> None:
    with pytest.raises(SourceFormError) as caught:
        validate_source_form(C, {}, {})
    assert str(caught.value) == (
        "config.api_url: API URL is required; credentials.api_token: API token is required"
    )


NUMERIC_HOST = (
    "must name an IP address in dotted-decimal form such as 192.0.2.10"
    " (not octal, hexadecimal, shortened or one number)"
)


@pytest.mark.parametrize(
    "host",
    [
        "0177.0.0.1",  # octal 127.0.0.1
        "0x7f.1",  # hexadecimal, shortened
        "0x7f.0.0.1",
        "0x7f000001",
        "127.1",  # shortened
        "10.1",
        "2130706433",  # one decimal number
        "127.000.0.1",  # leading zeros
        "010.0.0.1",
        "1.2.3.4.5",
        "1.2.3.256",
        "127.0.0.1.",  # a trailing dot
        "169.254.169.254.",
        "0x",
    ],
)
def test_numeric_hosts_in_other_forms_are_refused(host: str) -> None:
    assert errors_of({**GOOD_CONFIG, "api_url": f"https://{host}/api"}, GOOD_SECRETS) == {
        "config.api_url": NUMERIC_HOST
    }


@pytest.mark.parametrize(
    "url",
    [
        "https://192.0.2.10",
        "https://192.0.2.10:8443/api",
        "https://[2001:db8::1]/api",
        "https://123.example",
        "https://0x7f.example.com",
        "https://1e100.net",
        "https://api.2130706433.example",
    ],
)
def test_dotted_decimal_addresses_and_names_that_look_numeric_are_accepted(url: str) -> None:
    form = validate_source_form(C, {**GOOD_CONFIG, "api_url": url}, GOOD_SECRETS)
    assert form.config["api_url"] == url


@pytest.mark.parametrize("url", ["https://[::1", "https://exa mple.com", "https://a..b/"])
def test_urls_httpx_cannot_call_are_refused_by_the_form(url: str) -> None:
    assert errors_of({**GOOD_CONFIG, "api_url": url}, GOOD_SECRETS) == {
        "config.api_url": "is not a valid URL"
    }


def test_the_api_answers_an_octal_host_with_a_422_naming_the_field(
    client: TestClient, tenant_a: TenantFixture
) -> None:
    admin = bearer(login(client, tenant_a.user_email)["access_token"])
    answer = client.post(
        "/api/sources",
        headers=admin,
        json={
            "vendor_id": "okta",
            "name": "Okta",
            "schedule": "daily",
            "config": {"org_url": "https://0177.0.0.1"},
            "credentials": {"api_token": "tok-123"},
        },
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"] == {"config.org_url": NUMERIC_HOST}

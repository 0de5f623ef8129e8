"""Questionnaire templates in the browser: create one from the Draxis library, publish it, edit a
question in a new draft, publish again and see version 2; both pages free of serious axe
violations on the way."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser_kit import axe_violations, sign_in
from tests.conftest import Conn
from tests.factories import TenantFixture

pytestmark = pytest.mark.browser


def _settled(page: Page) -> None:
    expect(page.locator("h1").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("status").filter(has_text="Loading")).to_have_count(0)
    assert axe_violations(page) == [], page.url


def _publish(page: Page) -> None:
    page.get_by_role("button", name="Publish", exact=True).click()
    dialog = page.get_by_role("alertdialog", name="Publish this draft?")
    dialog.get_by_role("button", name="Publish").click()
    expect(dialog).to_have_count(0)


def test_create_from_the_library_edit_a_question_publish_and_see_version_two(
    browser_page: Page, live_server: str, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    page = browser_page
    sign_in(page, live_server, tenant_a.user_email)
    expect(page.get_by_role("button", name="Account")).to_be_visible()
    page.get_by_role("link", name="Questionnaires").click()
    _settled(page)
    page.get_by_label("Template").select_option("core-security")
    page.get_by_role("button", name="Create questionnaire").click()

    expect(page.get_by_test_id("questionnaire-title")).to_have_text("Core security questionnaire")
    versions = page.get_by_test_id("versions")
    expect(versions).to_contain_text("Version 1 · Draft")
    _settled(page)
    _publish(page)
    expect(versions).to_contain_text("Version 1 · Published")

    page.get_by_role("button", name="Edit as a new draft").click()
    expect(versions).to_contain_text("Version 2 · Draft")
    question = page.get_by_test_id("question-gov.policy")
    question.get_by_label("Question text").fill("Is your security policy approved by the board?")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").filter(has_text="Draft saved.")).to_be_visible()
    _publish(page)
    expect(versions).to_contain_text("Version 2 · Published")
    expect(versions).to_contain_text("Version 1 · Published")

    row = observer_conn.execute(
        "select v.document->'steps'->0->'questions'->0->>'text' from tenant.questionnaire_version v"
        " where v.tenant_id = %s and v.version = 2 and v.status = 'published'",
        (tenant_a.id,),
    ).fetchone()
    assert row == ("Is your security policy approved by the board?",)

    # The preview shows the vendor's view; a sample answer opens the follow-up.
    page.get_by_role("button", name="Preview as the vendor").click()
    preview = page.get_by_test_id("preview")
    follow_up = preview.get_by_text("When was the policy last reviewed?")
    expect(follow_up).to_have_count(0)
    preview.get_by_role("radio", name="Yes").first.check()
    expect(follow_up).to_be_visible()
    _settled(page)


def test_a_server_problem_shows_next_to_its_field(
    browser_page: Page, live_server: str, tenant_a: TenantFixture
) -> None:
    page = browser_page
    sign_in(page, live_server, tenant_a.user_email)
    expect(page.get_by_role("button", name="Account")).to_be_visible()
    page.goto(f"{live_server}/tprm/questionnaires")
    page.get_by_label("Start from").select_option("blank")
    page.get_by_label("Name", exact=True).fill("Blank one")
    page.get_by_role("button", name="Create questionnaire").click()
    question = page.get_by_test_id("question-q1")
    question.get_by_label("Question text").fill("")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_test_id("question-q1").get_by_role("alert")).to_contain_text(
        "at least 1 character"
    )

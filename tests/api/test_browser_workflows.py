"""A tenant admin creates a workflow in the web client (the form's common case), the pipeline
runs, and its run and task appear; /workflows with the editor open has no serious or critical
axe violations."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from draxis.settings import Settings
from tests.assets.workflows.kit import colour_kri, evaluate, set_owner
from tests.browser_kit import axe_violations, sign_in
from tests.conftest import Conn
from tests.factories import TenantFixture, materialize_tenant
from tests.identity import create_user

pytestmark = pytest.mark.browser


def test_a_workflow_made_in_the_browser_opens_a_task_when_its_kri_turns_red(
    page: Page,
    live_server: str,
    settings: Settings,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    materialize_tenant(settings, tenant_a)
    owner = create_user(app_conn, "tenant_user", tenant=tenant_a)
    slug = tenant_a.kri_slugs[0]
    kri_id = set_owner(app_conn, tenant_a, slug, owner.id)
    colour_kri(app_conn, tenant_a, slug, "green")
    evaluate(settings, tenant_a)

    sign_in(page, live_server, tenant_a.user_email)
    page.get_by_role("link", name="Workflows").first.click()
    expect(page.get_by_role("heading", name="Workflows", level=1)).to_be_visible()
    page.get_by_test_id("workflow-new").click()
    page.get_by_label("Name").fill("Red KRI to its owner")
    expect(page.get_by_test_id("workflow-validation")).to_have_text("The document is valid.")
    expect(page.get_by_test_id("workflow-preview")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == []
    page.get_by_test_id("workflow-save").click()
    expect(page.get_by_test_id("workflow-row")).to_contain_text("Red KRI to its owner")

    colour_kri(app_conn, tenant_a, slug, "red")
    evaluate(settings, tenant_a)
    page.reload()
    with observer_conn.cursor() as cur:
        name = cur.execute("select name from tenant.kri where id = %s", (kri_id,)).fetchone()
        tasks = cur.execute(
            "select t.owner_user_id, t.status from tenant.task t"
            " join tenant.workflow_run r on r.id = t.workflow_run_id"
            " join tenant.workflow w on w.id = r.workflow_id"
            " where w.name = 'Red KRI to its owner' and r.subject_id = %s",
            (kri_id,),
        ).fetchall()
    assert name is not None
    assert tasks == [(owner.id, "open")]
    expect(page.get_by_test_id("workflow-run").filter(has_text=name[0])).to_contain_text(
        "Red KRI to its owner (v1)"
    )
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == []

    # The owner signs in and finds the task the workflow opened: on the dashboard's "Assigned
    # to me" and in the tasks list, with a bell counting the notification that told them.
    page.get_by_role("button", name="Account").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    sign_in(page, live_server, owner.email)
    assigned = page.get_by_test_id("my-task").filter(has_text=name[0])
    expect(assigned).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tasks").click()
    expect(page.get_by_test_id("task-row").filter(has_text=name[0])).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == []

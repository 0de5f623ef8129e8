"""Workflows evaluated by the pipeline, end to end against the real database: a KRI turning
red starts exactly one run, which opens one task for the KRI's owner and tells them once; the
KRI back to green closes the task and finishes the run."""

from __future__ import annotations

from draxis.db.scope import scoped_transaction
from draxis.settings import Settings
from tests.assets.workflows.kit import (
    RED_THEN_GREEN,
    add_version,
    add_workflow,
    colour_kri,
    evaluate,
    set_owner,
)
from tests.conftest import Conn
from tests.factories import TenantFixture, materialize_tenant
from tests.identity import create_user


def _rows(observer: Conn, query: str, *params: object) -> list[tuple[object, ...]]:
    return observer.execute(query, params).fetchall()


def test_a_red_kri_opens_one_task_for_its_owner_and_green_closes_it(
    settings: Settings, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    materialize_tenant(settings, tenant_a)
    owner = create_user(app_conn, "tenant_user", tenant=tenant_a)
    slug = tenant_a.kri_slugs[0]
    kri_id = set_owner(app_conn, tenant_a, slug, owner.id)
    colour_kri(app_conn, tenant_a, slug, "green")
    workflow = add_workflow(app_conn, tenant_a, "Red KRI", RED_THEN_GREEN)
    evaluate(settings, tenant_a)
    # (other KRIs of the demo profile are red already: each of those has its run)
    assert (
        _rows(
            observer_conn,
            "select 1 from tenant.workflow_run where workflow_id = %s and subject_id = %s",
            workflow,
            kri_id,
        )
        == []
    )

    colour_kri(app_conn, tenant_a, slug, "red")
    evaluate(settings, tenant_a)
    evaluate(settings, tenant_a)  # the sensor ticking again: still one run
    evaluate(settings, tenant_a, status=False)

    runs = _rows(
        observer_conn,
        "select id, subject_id, status, version from tenant.workflow_run"
        " where workflow_id = %s and subject_id = %s",
        workflow,
        kri_id,
    )
    assert len(runs) == 1
    run_id, subject, status, version = runs[0]
    assert (subject, status, version) == (kri_id, "waiting", 1)
    tasks = _rows(
        observer_conn,
        "select id, owner_user_id, status, subject_id from tenant.task where workflow_run_id = %s",
        run_id,
    )
    assert [(t[1], t[2], t[3]) for t in tasks] == [(owner.id, "open", kri_id)]
    notes = _rows(
        observer_conn,
        "select user_id, event, link from tenant.notification where subject_id = %s",
        run_id,
    )
    assert notes == [(owner.id, "workflow.task_opened", f"/workflows?run={run_id}")]

    colour_kri(app_conn, tenant_a, slug, "green")
    evaluate(settings, tenant_a)
    task = _rows(
        observer_conn,
        "select status, closed_at is not null from tenant.task where id = %s",
        tasks[0][0],
    )
    assert task == [("done", True)]
    events = _rows(
        observer_conn,
        "select kind from tenant.task_event where task_id = %s order by id",
        tasks[0][0],
    )
    assert events == [("created",), ("closed_by_workflow",)]
    assert _rows(
        observer_conn,
        "select status, finished_at is not null from tenant.workflow_run where id = %s",
        run_id,
    ) == [("finished", True)]

    # Red again is a new occurrence: a second run.
    colour_kri(app_conn, tenant_a, slug, "red")
    evaluate(settings, tenant_a)
    assert (
        len(
            _rows(
                observer_conn,
                "select 1 from tenant.workflow_run where workflow_id = %s and subject_id = %s",
                workflow,
                kri_id,
            )
        )
        == 2
    )


def test_a_run_keeps_the_version_it_started_with(
    settings: Settings, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    materialize_tenant(settings, tenant_a)
    slug = tenant_a.kri_slugs[1]
    colour_kri(app_conn, tenant_a, slug, "red")
    workflow = add_workflow(app_conn, tenant_a, "Versioned", RED_THEN_GREEN)
    evaluate(settings, tenant_a)
    edited = {**RED_THEN_GREEN, "steps": [{"type": "wait_until", "condition": "kri_green"}]}
    add_version(app_conn, tenant_a, workflow, 2, edited)
    evaluate(settings, tenant_a)
    query = (
        "select r.version, r.step, r.status, count(t.id) from tenant.workflow_run r"
        " join tenant.kri k on k.id = r.subject_id"
        " left join tenant.task t on t.workflow_run_id = r.id"
        " where r.workflow_id = %s and k.slug = %s group by 1, 2, 3"
    )
    # One run still (same occurrence: an edit does not fire again), on version 1, whose
    # create_task step ran once; the edit's document has no such step.
    assert _rows(observer_conn, query, workflow, slug) == [(1, 1, "waiting", 1)]

    colour_kri(app_conn, tenant_a, slug, "green")
    evaluate(settings, tenant_a)
    colour_kri(app_conn, tenant_a, slug, "red")
    evaluate(settings, tenant_a)
    assert sorted(_rows(observer_conn, query, workflow, slug)) == [
        (1, 2, "finished", 1),
        (2, 0, "waiting", 0),
    ]


def test_tenant_b_never_sees_tenant_a_workflows_or_runs(
    settings: Settings,
    app_conn: Conn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
) -> None:
    materialize_tenant(settings, tenant_a)
    add_workflow(app_conn, tenant_a, "A only", RED_THEN_GREEN)
    evaluate(settings, tenant_a, tenant_b)
    counts = (
        "select (select count(*) from tenant.workflow),"
        " (select count(*) from tenant.workflow_version),"
        " (select count(*) from tenant.workflow_run)"
    )
    with scoped_transaction(app_conn, tenant_b.scope, read_only=True):
        seen_by_b = app_conn.execute(counts).fetchone()
    with scoped_transaction(app_conn, tenant_a.scope, read_only=True):
        seen_by_a = app_conn.execute(counts).fetchone()
    assert seen_by_b == (0, 0, 0)
    assert seen_by_a is not None
    assert seen_by_a[:2] == (1, 1)
    assert seen_by_a[2] > 0


def test_the_waits_sensor_asks_for_an_evaluation_once_an_approval_is_decided(
    settings: Settings, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    import dagster as dg

    from assets.database import DraxisDatabase
    from assets.partitions import tenant_partitions
    from pipelines.sensors import workflow_waits_sensor

    approval = {
        "trigger": {"type": "kri.colour_changed", "to": ["red"]},
        "steps": [{"type": "wait_for_approval", "deadline_days": 5}],
    }
    materialize_tenant(settings, tenant_a)
    colour_kri(app_conn, tenant_a, tenant_a.kri_slugs[0], "red")
    workflow = add_workflow(app_conn, tenant_a, "Approve red", approval)
    evaluate(settings, tenant_a)
    database = DraxisDatabase(database_url=settings.database_url)
    with dg.DagsterInstance.ephemeral() as instance:
        assert tenant_partitions.name is not None
        instance.add_dynamic_partitions(tenant_partitions.name, [tenant_a.slug])

        def tick() -> list[str]:
            context = dg.build_sensor_context(instance=instance, resources={"database": database})
            result = workflow_waits_sensor(context)
            assert isinstance(result, dg.SensorResult)
            return [str(r.partition_key) for r in result.run_requests or []]

        assert tick() == []  # waiting, undecided, before its deadline
        with scoped_transaction(app_conn, tenant_a.scope):
            app_conn.execute(
                "update tenant.workflow_run set steps = jsonb_set(steps, '{0,status}',"
                " '\"approved\"') where workflow_id = %s",
                (workflow,),
            )
        assert set(tick()) == {tenant_a.slug}
        evaluate(settings, tenant_a, status=False)
        assert tick() == []

"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.mcp.server import mount as mount_mcp
from api.middleware import install_request_context
from api.problems import install_problem_handlers
from api.routes import (
    api_tokens,
    assessment_review,
    assessments,
    auth,
    carrier,
    dashboard,
    exports,
    health,
    history,
    impersonation,
    inbound,
    integrations,
    integrations_probe,
    integrations_runs,
    me,
    memory_documents,
    memory_facts,
    memory_search,
    mfa,
    model_transfer,
    notifications,
    org_admin,
    panel,
    password,
    platform_admin,
    questionnaires,
    reports,
    respond,
    risk_acceptance,
    risk_links,
    risk_model,
    scope_trends,
    scores,
    search,
    task_files,
    tasks,
    tenant_admin,
    tprm_policy,
    vendor_contacts,
    vendor_findings,
    vendor_profile,
    webhooks,
    workflows,
)
from api.tracing import instrument_app
from api.web import install_web
from draxis import telemetry
from draxis.db.pool import open_pool
from draxis.db.roles import DbRole
from draxis.db.urls import role_conninfo
from draxis.log import configure_logging
from draxis.settings import Settings, get_settings
from panel.orchestrator import Orchestrator
from panel.service import build_orchestrator


def create_app(
    settings: Settings | None = None, *, panel_orchestrator: Orchestrator | None = None
) -> FastAPI:
    """The API; `panel_orchestrator` replaces the panel built from settings (tests, benches)."""
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.google_cloud_project)
    traced = telemetry.configure_telemetry(settings)
    orchestrator = panel_orchestrator or build_orchestrator(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = open_pool(role_conninfo(settings, DbRole.APP), name="draxis-app")
        app.state.pool = pool
        try:
            async with mcp.lifespan():  # the MCP SDK's session manager lives with the app
                yield
        finally:
            pool.close()
            orchestrator.tracer.shutdown()

    app = FastAPI(
        title="Draxis API",
        version="0.1.0",
        summary="KRIs, risks and outcomes of every tenant, under row-level security.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.panel = orchestrator
    install_problem_handlers(app)
    install_request_context(app)
    app.include_router(health.router)
    for module in (
        auth,
        mfa,
        impersonation,
        me,
        api_tokens,
        dashboard,
        history,
        scores,
        scope_trends,
        reports,
        exports,
        search,
        risk_model,
        risk_links,
        risk_acceptance,
        model_transfer,
        tenant_admin,
        org_admin,
        platform_admin,
        carrier,
        integrations,
        integrations_probe,
        integrations_runs,
        inbound,
        memory_facts,
        memory_documents,
        memory_search,
        panel,
        password,
        notifications,
        webhooks,
        tasks,
        task_files,
        workflows,
        assessments,
        assessment_review,
        vendor_profile,
        vendor_contacts,
        vendor_findings,
        tprm_policy,
        questionnaires,
        respond,
    ):
        app.include_router(module.router)
    app.include_router(auth.keys_router)
    mcp = mount_mcp(app, settings, lambda: app.state.pool, orchestrator)
    install_web(app, settings.web_dist)
    instrument_app(app, traced)
    return app

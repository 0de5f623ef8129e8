"""Third-party risk: vendor profiles, questionnaires, assessments answered through a vendor link.

- `tenant.vendor` gains its profile: criticality, data access, services, subprocessors,
  contract dates, website, the names its identity-provider apps go by (`app_match`) and the
  integrations it attested. `tenant.vendor_contact` holds its people; `tenant.vendor_risk`
  links it to risks. `tenant.tprm_policy` is the tenant's reassessment cadence per tier
  (12/24/36 months by default), reminder lead time and written requirements.
- `tenant.questionnaire` and `tenant.questionnaire_version`: step-based questionnaire documents
  (validated by `draxis.tprm.document`), numbered per questionnaire. At most one draft each; a
  published version never changes and is never deleted (a trigger refuses, whatever the role).
- `tenant.assessment`: one questionnaire version sent to one vendor contact. The link's token
  is stored only as its SHA-256 (`token_hash`); the link itself is sealed (`link_sealed`) for
  the invitation and reminder e-mails and wiped once the assessment closes. Answers, evidence
  files (capped at 10 MB) and each answer's score (rules or model, and a reviewer's override
  with its reason) hang off it. `tenant.vendor_finding`: what an assessment or integration
  drift found, by severity, one row per (vendor, dedupe key).
- `tenant.identity_app`: the applications the identity connectors (Okta, Entra ID, Google
  Workspace) report, per source, for integration drift. `tenant.assessment_email`: the outbox
  of invitation and reminder e-mails to vendor contacts, sent by the pipeline.

The respondent scope. A vendor has no account: the API hashes the token from the request and
sets it as `draxis.respondent` under the scope kind `respondent`, with no tenant. Policies for
that scope (app role only) show exactly the one assessment whose `token_hash` matches, while it
is open (sent or in progress) and unexpired, and through it that assessment's questionnaire
version, answers and evidence, and nothing else in any schema: every other policy keys on a
tenant, organization, carrier or user id that the respondent scope leaves unset. Submission
moves the assessment out of the open states, so the same token then sees nothing: single use.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

from __future__ import annotations

from draxis.migrations.sql import run_script

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA = r"""
set lock_timeout = '5s';

create function platform.current_respondent() returns bytea
    language sql stable parallel safe
    as $$
        select case when current_setting('draxis.scope', true) = 'respondent'
                    then decode(nullif(current_setting('draxis.respondent', true), ''), 'hex') end
    $$;
grant execute on function platform.current_respondent() to draxis_app;

-- Vendor profile ---------------------------------------------------------------------------------
alter table tenant.vendor
    add column criticality text not null default 'medium',
    add column data_access text not null default 'none',
    add column services text[] not null default '{}',
    add column subprocessors text[] not null default '{}',
    add column contract_start date,
    add column contract_end date,
    add column website text not null default '',
    add column app_match text[] not null default '{}',
    add column attested_integrations text[] not null default '{}',
    add column notes text not null default '';
alter table tenant.vendor
    add constraint vendor_criticality
        check (criticality in ('low', 'medium', 'high', 'critical')) not valid,
    add constraint vendor_data_access
        check (data_access in ('none', 'internal', 'confidential', 'restricted')) not valid,
    add constraint vendor_contract_dates
        check (contract_end is null or contract_start is null or contract_end >= contract_start)
        not valid,
    add constraint vendor_text_sizes
        check (length(website) <= 300 and length(notes) <= 4000
               and cardinality(services) <= 50 and cardinality(subprocessors) <= 100
               and cardinality(app_match) <= 20 and cardinality(attested_integrations) <= 200)
        not valid;
alter table tenant.vendor validate constraint vendor_criticality;
alter table tenant.vendor validate constraint vendor_data_access;
alter table tenant.vendor validate constraint vendor_contract_dates;
alter table tenant.vendor validate constraint vendor_text_sizes;

create table tenant.vendor_contact (
    id          uuid not null default gen_random_uuid(),
    tenant_id   uuid not null references platform.tenants (id),
    vendor_id   uuid not null,
    name        text not null check (length(name) between 1 and 200),
    email       text not null check (length(email) between 3 and 320 and email like '%_@_%'),
    role        text not null default '' check (length(role) <= 120),
    is_primary  boolean not null default false,
    created_at  timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (id),
    unique (tenant_id, vendor_id, email),
    foreign key (tenant_id, vendor_id) references tenant.vendor (tenant_id, id) on delete cascade
);
create unique index vendor_contact_one_primary on tenant.vendor_contact (tenant_id, vendor_id)
    where is_primary;

create table tenant.vendor_risk (
    tenant_id   uuid not null,
    vendor_id   uuid not null,
    risk_id     uuid not null,
    primary key (tenant_id, vendor_id, risk_id),
    foreign key (tenant_id, vendor_id) references tenant.vendor (tenant_id, id) on delete cascade,
    foreign key (tenant_id, risk_id) references tenant.risk (tenant_id, id) on delete cascade
);
create index vendor_risk_risk_idx on tenant.vendor_risk (tenant_id, risk_id);

create table tenant.tprm_policy (
    tenant_id       uuid primary key references platform.tenants (id),
    tier1_months    smallint not null default 12 check (tier1_months between 1 and 60),
    tier2_months    smallint not null default 24 check (tier2_months between 1 and 60),
    tier3_months    smallint not null default 36 check (tier3_months between 1 and 60),
    reminder_days   smallint not null default 7 check (reminder_days between 1 and 60),
    link_days       smallint not null default 30 check (link_days between 1 and 90),
    requirements    text not null default '' check (length(requirements) <= 8000),
    updated_at      timestamptz not null default now()
);

-- Questionnaires ---------------------------------------------------------------------------------
create table tenant.questionnaire (
    id          uuid not null default gen_random_uuid(),
    tenant_id   uuid not null references platform.tenants (id),
    slug        text not null check (slug ~ '^[a-z0-9][a-z0-9_-]{1,79}$'),
    name        text not null check (length(name) between 1 and 200),
    description text not null default '' check (length(description) <= 4000),
    origin      text check (length(origin) <= 80),
    archived_at timestamptz,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (id),
    unique (tenant_id, slug)
);

create table tenant.questionnaire_version (
    tenant_id        uuid not null,
    questionnaire_id uuid not null,
    version          integer not null check (version >= 1),
    status           text not null default 'draft' check (status in ('draft', 'published')),
    document         jsonb not null check (jsonb_typeof(document) = 'object'
                                           and octet_length(document::text) <= 1048576),
    created_at       timestamptz not null default now(),
    created_by       uuid,
    published_at     timestamptz,
    published_by     uuid,
    primary key (tenant_id, questionnaire_id, version),
    foreign key (tenant_id, questionnaire_id) references tenant.questionnaire (tenant_id, id)
        on delete cascade,
    check ((status = 'published') = (published_at is not null))
);
create unique index questionnaire_one_draft on tenant.questionnaire_version
    (tenant_id, questionnaire_id) where status = 'draft';

-- A published version is the record of what vendors were asked: it never changes and never goes.
create function tenant.questionnaire_version_frozen() returns trigger
    language plpgsql
    set search_path = pg_catalog, pg_temp
    as $$
    begin
        if old.status = 'published' then
            raise exception 'questionnaire % version % is published and cannot change',
                old.questionnaire_id, old.version
                using errcode = 'check_violation', constraint = 'questionnaire_version_frozen';
        end if;
        if tg_op = 'DELETE' then
            return old;
        end if;
        return new;
    end $$;
create trigger questionnaire_version_frozen before update or delete
    on tenant.questionnaire_version for each row
    execute function tenant.questionnaire_version_frozen();

-- Assessments ------------------------------------------------------------------------------------
create table tenant.assessment (
    id                uuid not null default gen_random_uuid(),
    tenant_id         uuid not null references platform.tenants (id),
    vendor_id         uuid not null,
    questionnaire_id  uuid not null,
    version           integer not null,
    status            text not null default 'sent'
                      check (status in ('sent', 'in_progress', 'submitted', 'completed',
                                        'cancelled')),
    -- What the vendor is shown, fixed when sent: the respondent scope reads no other table.
    vendor_name       text not null check (length(vendor_name) between 1 and 200),
    requester_name    text not null check (length(requester_name) between 1 and 200),
    recipient_name    text not null default '' check (length(recipient_name) <= 200),
    recipient_email   text not null check (length(recipient_email) between 3 and 320),
    message           text not null default '' check (length(message) <= 4000),
    due_date          date not null,
    token_hash        bytea not null check (octet_length(token_hash) = 32),
    token_expires_at  timestamptz not null,
    link_sealed       bytea,
    sent_by           uuid,
    sent_at           timestamptz not null default now(),
    opened_at         timestamptz,
    submitted_at      timestamptz,
    completed_at      timestamptz,
    completed_by      uuid,
    cancelled_at      timestamptz,
    score             numeric(5, 2) check (score between 0 and 100),
    rating            text check (rating in ('low', 'medium', 'high', 'critical')),
    evaluation        text not null default 'none'
                      check (evaluation in ('none', 'pending', 'done', 'failed')),
    evaluator         text check (length(evaluator) <= 120),
    evaluated_at      timestamptz,
    evaluation_error  text check (length(evaluation_error) <= 500),
    primary key (tenant_id, id),
    unique (id),
    unique (token_hash),
    foreign key (tenant_id, vendor_id) references tenant.vendor (tenant_id, id) on delete cascade,
    foreign key (tenant_id, questionnaire_id, version)
        references tenant.questionnaire_version (tenant_id, questionnaire_id, version),
    check (status in ('sent', 'in_progress') or link_sealed is null),
    check (status not in ('submitted', 'completed') or submitted_at is not null),
    check (status <> 'completed' or completed_at is not null),
    check (status <> 'cancelled' or cancelled_at is not null)
);
create index assessment_vendor_idx on tenant.assessment (tenant_id, vendor_id, sent_at desc);
create index assessment_open_idx on tenant.assessment (tenant_id, due_date)
    where status in ('sent', 'in_progress');
create index assessment_evaluation_idx on tenant.assessment (tenant_id)
    where evaluation = 'pending';

-- Only a published version is ever sent.
create function tenant.assessment_version_published() returns trigger
    language plpgsql
    set search_path = pg_catalog, pg_temp
    as $$
    begin
        if not exists (select 1 from tenant.questionnaire_version v
                       where v.tenant_id = new.tenant_id
                         and v.questionnaire_id = new.questionnaire_id
                         and v.version = new.version and v.status = 'published') then
            raise exception 'questionnaire % version % is not published',
                new.questionnaire_id, new.version
                using errcode = 'check_violation', constraint = 'assessment_version_published';
        end if;
        return new;
    end $$;
create trigger assessment_version_published before insert
    on tenant.assessment for each row execute function tenant.assessment_version_published();

create table tenant.assessment_answer (
    tenant_id       uuid not null,
    assessment_id   uuid not null,
    question_id     text not null check (question_id ~ '^[a-z0-9][a-z0-9_.-]{0,79}$'),
    value           jsonb not null check (octet_length(value::text) <= 20000),
    answered_at     timestamptz not null default now(),
    auto_score      numeric(4, 3) check (auto_score between 0 and 1),
    auto_source     text check (auto_source in ('rules', 'model', 'offline')),
    auto_rationale  text check (length(auto_rationale) <= 2000),
    override_score  numeric(4, 3) check (override_score between 0 and 1),
    override_reason text check (length(override_reason) between 3 and 2000),
    override_by     uuid,
    override_at     timestamptz,
    primary key (tenant_id, assessment_id, question_id),
    foreign key (tenant_id, assessment_id) references tenant.assessment (tenant_id, id)
        on delete cascade,
    check ((override_score is null) = (override_reason is null)),
    check ((auto_score is null) = (auto_source is null))
);

create table tenant.assessment_evidence (
    id            uuid not null default gen_random_uuid(),
    tenant_id     uuid not null,
    assessment_id uuid not null,
    question_id   text not null check (question_id ~ '^[a-z0-9][a-z0-9_.-]{0,79}$'),
    filename      text not null check (length(filename) between 1 and 200),
    content_type  text not null check (length(content_type) between 3 and 100),
    size_bytes    integer not null check (size_bytes between 1 and 10485760),
    sha256        bytea not null check (octet_length(sha256) = 32),
    content       bytea not null,
    uploaded_at   timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (id),
    foreign key (tenant_id, assessment_id) references tenant.assessment (tenant_id, id)
        on delete cascade,
    check (size_bytes = octet_length(content))
);
create index assessment_evidence_idx on tenant.assessment_evidence
    (tenant_id, assessment_id, question_id);

create table tenant.vendor_finding (
    id            uuid not null default gen_random_uuid(),
    tenant_id     uuid not null,
    vendor_id     uuid not null,
    assessment_id uuid,
    question_id   text check (question_id ~ '^[a-z0-9][a-z0-9_.-]{0,79}$'),
    source        text not null check (source in ('assessment', 'drift')),
    dedupe_key    text not null check (length(dedupe_key) between 1 and 300),
    severity      text not null check (severity in ('low', 'medium', 'high', 'critical')),
    title         text not null check (length(title) between 1 and 300),
    detail        text not null default '' check (length(detail) <= 4000),
    status        text not null default 'open' check (status in ('open', 'resolved', 'accepted')),
    created_at    timestamptz not null default now(),
    last_seen_at  timestamptz not null default now(),
    resolved_at   timestamptz,
    resolved_by   uuid,
    resolution    text check (length(resolution) <= 2000),
    primary key (tenant_id, id),
    unique (id),
    unique (tenant_id, vendor_id, dedupe_key),
    foreign key (tenant_id, vendor_id) references tenant.vendor (tenant_id, id) on delete cascade,
    foreign key (tenant_id, assessment_id) references tenant.assessment (tenant_id, id)
        on delete cascade,
    check ((status = 'open') = (resolved_at is null))
);
create index vendor_finding_open_idx on tenant.vendor_finding (tenant_id, severity)
    where status = 'open';

create table tenant.identity_app (
    tenant_id   uuid not null,
    source_id   uuid not null,
    provider    text not null check (provider ~ '^[a-z_]{2,40}$'),
    app_id      text not null check (length(app_id) between 1 and 200),
    name        text not null check (length(name) between 1 and 300),
    active      boolean not null default true,
    seen_at     timestamptz not null default now(),
    primary key (tenant_id, source_id, app_id),
    foreign key (tenant_id, source_id) references tenant.kri_source (tenant_id, id)
        on delete cascade
);

create table tenant.assessment_email (
    id               uuid not null default gen_random_uuid(),
    tenant_id        uuid not null,
    assessment_id    uuid not null,
    kind             text not null check (kind in ('invitation', 'reminder')),
    dedupe_key       text not null check (length(dedupe_key) between 1 and 120),
    status           text not null default 'pending'
                     check (status in ('pending', 'sent', 'failed', 'skipped')),
    attempts         integer not null default 0 check (attempts >= 0),
    next_attempt_at  timestamptz not null default now(),
    lease_until      timestamptz,
    last_error       text check (length(last_error) <= 500),
    sent_at          timestamptz,
    created_at       timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (id),
    unique (tenant_id, assessment_id, dedupe_key),
    foreign key (tenant_id, assessment_id) references tenant.assessment (tenant_id, id)
        on delete cascade
);
create index assessment_email_due on tenant.assessment_email (tenant_id, next_attempt_at)
    where status = 'pending';

-- Row-level security -----------------------------------------------------------------------------
do $$
declare t text;
begin
    foreach t in array array['vendor_contact', 'vendor_risk', 'tprm_policy', 'questionnaire',
                             'questionnaire_version', 'assessment', 'assessment_answer',
                             'assessment_evidence', 'vendor_finding', 'identity_app',
                             'assessment_email'] loop
        execute format('alter table tenant.%I enable row level security', t);
        execute format('alter table tenant.%I force row level security', t);
        execute format($p$create policy tenant_isolation on tenant.%I
            using (tenant_id = (select platform.current_tenant_id()))
            with check (tenant_id = (select platform.current_tenant_id()))$p$, t);
    end loop;
    foreach t in array array['vendor_risk', 'tprm_policy', 'questionnaire_version', 'assessment',
                             'assessment_answer', 'assessment_evidence', 'vendor_finding',
                             'identity_app', 'assessment_email'] loop
        execute format($p$create policy pipeline_batch on tenant.%I to draxis_pipeline
            using (tenant_id = any ((select platform.current_tenant_ids())::uuid[]))
            with check (tenant_id = any ((select platform.current_tenant_ids())::uuid[]))$p$, t);
    end loop;
end $$;

-- The respondent: one open, unexpired assessment by its token's hash, and what hangs off it.
create policy respondent on tenant.assessment for select to draxis_app
    using (token_hash = (select platform.current_respondent())
           and status in ('sent', 'in_progress') and token_expires_at > now());
create policy respondent_answers on tenant.assessment for update to draxis_app
    using (token_hash = (select platform.current_respondent())
           and status in ('sent', 'in_progress') and token_expires_at > now())
    with check (token_hash = (select platform.current_respondent())
                and status in ('in_progress', 'submitted'));
create policy respondent on tenant.questionnaire_version for select to draxis_app
    using ((select platform.current_scope()) = 'respondent'
           and exists (select 1 from tenant.assessment a
                       where a.tenant_id = questionnaire_version.tenant_id
                         and a.questionnaire_id = questionnaire_version.questionnaire_id
                         and a.version = questionnaire_version.version));
create policy respondent on tenant.assessment_answer to draxis_app
    using ((select platform.current_scope()) = 'respondent'
           and exists (select 1 from tenant.assessment a
                       where a.tenant_id = assessment_answer.tenant_id
                         and a.id = assessment_answer.assessment_id))
    with check ((select platform.current_scope()) = 'respondent'
                and exists (select 1 from tenant.assessment a
                            where a.tenant_id = assessment_answer.tenant_id
                              and a.id = assessment_answer.assessment_id));
create policy respondent on tenant.assessment_evidence to draxis_app
    using ((select platform.current_scope()) = 'respondent'
           and exists (select 1 from tenant.assessment a
                       where a.tenant_id = assessment_evidence.tenant_id
                         and a.id = assessment_evidence.assessment_id))
    with check ((select platform.current_scope()) = 'respondent'
                and exists (select 1 from tenant.assessment a
                            where a.tenant_id = assessment_evidence.tenant_id
                              and a.id = assessment_evidence.assessment_id));
-- The respondent's own actions go in the tenant's audit log, about its assessment only.
create policy respondent_audit on tenant.audit_log for insert to draxis_app
    with check ((select platform.current_scope()) = 'respondent'
                and action like 'assessment.%' and target_type = 'assessment'
                and exists (select 1 from tenant.assessment a
                            where a.tenant_id = audit_log.tenant_id
                              and a.id::text = audit_log.target_id));

grant select, insert, update, delete on tenant.vendor_contact, tenant.vendor_risk,
    tenant.questionnaire, tenant.assessment_answer, tenant.vendor_finding to draxis_app;
grant select, insert, update on tenant.tprm_policy, tenant.assessment to draxis_app;
grant select, insert, update, delete on tenant.questionnaire_version to draxis_app;
grant select, insert, delete on tenant.assessment_evidence to draxis_app;
grant select on tenant.identity_app to draxis_app;
grant select, insert on tenant.assessment_email to draxis_app;

grant select on tenant.vendor_risk, tenant.tprm_policy, tenant.questionnaire_version,
    tenant.assessment_evidence to draxis_pipeline;
grant select on tenant.assessment to draxis_pipeline;
grant update (status, link_sealed, score, rating, evaluation, evaluator, evaluated_at,
              evaluation_error) on tenant.assessment to draxis_pipeline;
grant select on tenant.assessment_answer to draxis_pipeline;
grant update (auto_score, auto_source, auto_rationale) on tenant.assessment_answer
    to draxis_pipeline;
grant select, insert on tenant.vendor_finding to draxis_pipeline;
grant update (severity, title, detail, status, last_seen_at, resolved_at, resolution)
    on tenant.vendor_finding to draxis_pipeline;
grant select, insert, update, delete on tenant.identity_app to draxis_pipeline;
grant select, insert on tenant.assessment_email to draxis_pipeline;
grant update (status, attempts, next_attempt_at, lease_until, last_error, sent_at)
    on tenant.assessment_email to draxis_pipeline;
"""


def upgrade() -> None:
    run_script(SCHEMA)

"""The expert panel and institutional memory.

- `tenant.panel_session` is one conversation with the panel. It is open until someone ends it;
  ended, it is frozen (no more messages, and the row itself can no longer change). A turn in
  progress is recorded on the row (`turn_started_at`), so any API process can refuse a second
  concurrent turn of the same session: nothing about a session lives in a process's memory.
- `tenant.panel_message` is the audit trail of every turn: the user's message, the moderator's
  decision and why, each specialist's answer, the synthesis and its rationale, and any error,
  with the model, tokens, latency and Langfuse trace id of each call. The app role may only
  SELECT and INSERT it: what was said cannot be edited or deleted through the API.
- `tenant.institutional_knowledge` holds key/value facts with a source citation (a panel
  session's synthesis, when kept, lands here citing the session).
- `tenant.institutional_documents` keeps uploaded policies (text, Markdown, PDF) and
  `tenant.institutional_document_chunks` their extracted text in chunks, with a `tsvector`
  (English) and a GIN index: the panel picks relevant chunks by full-text search.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

from draxis.migrations.sql import run_script

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA = r"""
create table tenant.panel_session (
    tenant_id        uuid not null references platform.tenants (id),
    id               uuid not null default gen_random_uuid(),
    title            text not null check (length(title) between 1 and 200),
    status           text not null default 'open' check (status in ('open', 'ended')),
    created_by       uuid references platform.users (id),
    created_at       timestamptz not null default now(),
    last_message_at  timestamptz,
    turn_count       integer not null default 0 check (turn_count >= 0),
    turn_started_at  timestamptz,
    ended_at         timestamptz,
    ended_by         uuid references platform.users (id),
    remembered_knowledge_id uuid,
    primary key (tenant_id, id),
    unique (id),
    check ((status = 'ended') = (ended_at is not null))
);
create index panel_session_recent_idx on tenant.panel_session (tenant_id, created_at desc, id);

create table tenant.panel_message (
    tenant_id       uuid not null references platform.tenants (id),
    session_id      uuid not null,
    id              uuid not null default gen_random_uuid(),
    seq             bigint generated always as identity,
    turn            integer not null check (turn >= 1),
    kind            text not null check (kind in ('user', 'decision', 'specialist', 'synthesis',
                                                  'error')),
    persona         text check (persona in ('vciso', 'privacy', 'tprm', 'insurance')),
    target          text check (target in ('panel', 'vciso', 'privacy', 'tprm', 'insurance')),
    content         text not null check (length(content) <= 100000),
    rationale       text check (length(rationale) <= 20000),
    decision        jsonb check (decision is null or jsonb_typeof(decision) = 'object'),
    context         jsonb check (context is null or jsonb_typeof(context) = 'object'),
    mode            text check (mode in ('llm', 'offline')),
    model           text,
    prompt_version  text,
    input_tokens    integer check (input_tokens >= 0),
    output_tokens   integer check (output_tokens >= 0),
    cache_read_tokens     integer check (cache_read_tokens >= 0),
    cache_creation_tokens integer check (cache_creation_tokens >= 0),
    latency_ms      integer check (latency_ms >= 0),
    attempts        integer check (attempts >= 1),
    trace_id        text check (trace_id ~ '^[0-9a-f]{32}$'),
    author_user_id  uuid references platform.users (id),
    created_at      timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, session_id) references tenant.panel_session (tenant_id, id)
        on delete cascade,
    check ((kind = 'user') = (author_user_id is not null))
);
create index panel_message_session_idx on tenant.panel_message (tenant_id, session_id, seq);

-- A frozen session takes no more messages, whoever asks.
create function tenant.panel_message_session_open() returns trigger
    language plpgsql set search_path = pg_catalog, tenant as $$
begin
    if not exists (select 1 from tenant.panel_session s
                   where s.tenant_id = new.tenant_id and s.id = new.session_id
                     and s.status = 'open') then
        raise exception 'panel session % is ended or does not exist', new.session_id
            using errcode = 'check_violation';
    end if;
    return new;
end $$;
create trigger panel_message_session_open before insert on tenant.panel_message
    for each row execute function tenant.panel_message_session_open();

create table tenant.institutional_knowledge (
    tenant_id         uuid not null references platform.tenants (id),
    id                uuid not null default gen_random_uuid(),
    key               text not null check (key ~ '^[a-z0-9][a-z0-9._-]{0,119}$'),
    value             text not null check (length(value) between 1 and 4000),
    citation          text not null check (length(citation) between 1 and 500),
    origin            text not null default 'manual' check (origin in ('manual', 'panel_session')),
    panel_session_id  uuid,
    author_user_id    uuid references platform.users (id),
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (id),
    unique (tenant_id, key)
);

create table tenant.institutional_documents (
    tenant_id     uuid not null references platform.tenants (id),
    id            uuid not null default gen_random_uuid(),
    title         text not null check (length(title) between 1 and 200),
    filename      text not null check (length(filename) between 1 and 255),
    media_type    text not null check (media_type in ('text/plain', 'text/markdown',
                                                      'application/pdf')),
    byte_size     integer not null check (byte_size > 0),
    sha256        text not null check (sha256 ~ '^[0-9a-f]{64}$'),
    content       bytea not null,
    page_count    integer check (page_count >= 0),
    char_count    integer not null check (char_count >= 0),
    chunk_count   integer not null check (chunk_count >= 0),
    citation      text check (length(citation) <= 500),
    uploaded_by   uuid references platform.users (id),
    uploaded_at   timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (id),
    unique (tenant_id, sha256)
);

create table tenant.institutional_document_chunks (
    tenant_id    uuid not null references platform.tenants (id),
    document_id  uuid not null,
    chunk_no     integer not null check (chunk_no >= 0),
    heading      text,
    page         integer check (page >= 1),
    content      text not null check (length(content) between 1 and 8000),
    tsv          tsvector generated always as
                 (to_tsvector('english', coalesce(heading, '') || ' ' || content)) stored,
    primary key (tenant_id, document_id, chunk_no),
    foreign key (tenant_id, document_id) references tenant.institutional_documents (tenant_id, id)
        on delete cascade
);
create index institutional_document_chunks_tsv_idx on tenant.institutional_document_chunks
    using gin (tsv);

do $$
declare t text;
begin
    foreach t in array array['panel_session', 'panel_message', 'institutional_knowledge',
                             'institutional_documents', 'institutional_document_chunks'] loop
        execute format('alter table tenant.%I enable row level security', t);
        execute format('alter table tenant.%I force row level security', t);
        execute format($p$create policy tenant_isolation on tenant.%I
            using (tenant_id = (select platform.current_tenant_id()))
            with check (tenant_id = (select platform.current_tenant_id()))$p$, t);
    end loop;
end $$;

-- The trail is append-only for the app: SELECT and INSERT, never UPDATE or DELETE. A session
-- row changes only while it is open (its title, turn bookkeeping, and the end itself).
grant select, insert on tenant.panel_message to draxis_app;
grant select, insert, update (title, last_message_at, turn_count, turn_started_at, status,
                              ended_at, ended_by, remembered_knowledge_id)
    on tenant.panel_session to draxis_app;
-- (USING picks the rows that may change; the new row, an ended one included, is checked by the
-- tenant policy alone.)
create policy open_sessions_only on tenant.panel_session as restrictive for update
    using (status = 'open') with check (true);
grant select, insert, update, delete on tenant.institutional_knowledge to draxis_app;
grant select, insert, update (title, citation), delete on tenant.institutional_documents
    to draxis_app;
grant select, insert, delete on tenant.institutional_document_chunks to draxis_app;
"""


def upgrade() -> None:
    run_script(SCHEMA)

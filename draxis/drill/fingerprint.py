"""An order-independent fingerprint of every application table: row count plus a content checksum.

Each row's text form is hashed (md5), the first 64 bits read as a signed integer, and summed as
`numeric`: the sum does not depend on row order or physical layout, and a changed, missing or
duplicated row changes it. Computed in SQL by a role that bypasses RLS (a superuser or the
owner with BYPASSRLS); `row_security = off` makes a role that cannot bypass it fail loudly
instead of silently fingerprinting one tenant's rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow

Conn = psycopg.Connection[TupleRow]

# The drill's own marker table lives here, in the scratch copies only; it is not application data.
DRILL_SCHEMA = "draxis_drill"

# Row text depends on these settings (timestamps, floats, bytea): pin them so two clusters agree.
_STABLE_SETTINGS = {
    "row_security": "off",
    "TimeZone": "UTC",
    "DateStyle": "ISO, MDY",
    "IntervalStyle": "postgres",
    "extra_float_digits": "1",
    "bytea_output": "hex",
}


@dataclass(frozen=True)
class TableFingerprint:
    rows: int
    checksum: str


Fingerprint = dict[str, TableFingerprint]


def application_tables(conn: Conn) -> list[tuple[str, str]]:
    """(schema, table) of every ordinary table outside PostgreSQL's own schemas and the drill's."""
    rows = conn.execute(
        "select n.nspname, c.relname from pg_class c"
        " join pg_namespace n on n.oid = c.relnamespace"
        " where c.relkind = 'r' and n.nspname <> 'information_schema'"
        " and n.nspname not like 'pg\\_%%' and n.nspname <> %s"
        " order by 1, 2",
        (DRILL_SCHEMA,),
    ).fetchall()
    return [(str(schema), str(table)) for schema, table in rows]


def stabilise_session(conn: Conn) -> None:
    """Pin the settings row text depends on, for the current transaction."""
    for name, value in _STABLE_SETTINGS.items():
        conn.execute("select set_config(%s, %s, true)", (name, value))


def table_fingerprint(conn: Conn, schema: str, table: str) -> TableFingerprint:
    query = sql.SQL(
        "select count(*), coalesce(sum(('x' || left(md5(t::text), 16))::bit(64)::bigint::numeric),"
        " 0)::text from {}.{} as t"
    ).format(sql.Identifier(schema), sql.Identifier(table))
    row = conn.execute(query).fetchone()
    assert row is not None
    return TableFingerprint(rows=int(row[0]), checksum=str(row[1]))


def fingerprint(conn: Conn) -> Fingerprint:
    """Every application table's fingerprint, read in one transaction (one snapshot).

    Opens its own transaction unless one is open: callers that exported a snapshot for pg_dump
    fingerprint inside that transaction so that both see the same data.
    """
    if conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
        with conn.transaction():
            return _fingerprint_in_transaction(conn)
    return _fingerprint_in_transaction(conn)


def _fingerprint_in_transaction(conn: Conn) -> Fingerprint:
    stabilise_session(conn)
    return {
        f"{schema}.{table}": table_fingerprint(conn, schema, table)
        for schema, table in application_tables(conn)
    }


def compare(expected: Fingerprint, actual: Fingerprint, *, what: str) -> list[str]:
    """Readable differences between two fingerprints; empty when they are identical."""
    problems: list[str] = []
    for table in sorted(expected.keys() - actual.keys()):
        problems.append(f"{what}: table {table} is missing from the restored copy")
    for table in sorted(actual.keys() - expected.keys()):
        problems.append(f"{what}: table {table} exists only in the restored copy")
    for table in sorted(expected.keys() & actual.keys()):
        want, got = expected[table], actual[table]
        if want.rows != got.rows:
            problems.append(f"{what}: {table} has {got.rows} rows, the source had {want.rows}")
        elif want.checksum != got.checksum:
            problems.append(
                f"{what}: {table} content differs ({want.rows} rows in both, checksum"
                f" {got.checksum} where the source had {want.checksum})"
            )
    return problems

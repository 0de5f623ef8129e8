"""Stage a Polars frame into a temporary table with COPY (COPY into an RLS table is refused)."""

from __future__ import annotations

import io

import polars as pl
import psycopg
from psycopg import sql
from psycopg.rows import TupleRow

_CHUNK = 8 * 1024 * 1024


def stage_frame(
    conn: psycopg.Connection[TupleRow], table: str, columns: dict[str, str], frame: pl.DataFrame
) -> None:
    """Create `pg_temp.<table>` (dropped at commit) and COPY `frame` into it.

    `columns` maps each frame column to its SQL type, in order. Runs in the caller's transaction.
    """
    ident = sql.Identifier(table)
    conn.execute(
        sql.SQL("create temporary table {} ({}) on commit drop").format(
            ident,
            sql.SQL(", ").join(
                sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(sqltype))
                for name, sqltype in columns.items()
            ),
        )
    )
    buffer = io.BytesIO()
    frame.select(list(columns)).write_csv(buffer, include_header=False)
    data = buffer.getbuffer()
    copy_sql = sql.SQL("copy {} ({}) from stdin (format csv)").format(
        ident, sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    with conn.cursor() as cur, cur.copy(copy_sql) as copy:
        for start in range(0, len(data), _CHUNK):
            copy.write(data[start : start + _CHUNK])

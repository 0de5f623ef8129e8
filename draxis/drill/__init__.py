"""The restore drill (`draxis db drill`): prove a backup restores to the same data and privileges.

`fingerprint` (order-independent per-table checksums), `audit` (the catalog's isolation
promises and a privilege snapshot to compare), `cluster` (scratch PostgreSQL clusters),
`logical` (pg_dump / pg_restore), `pitr` (base backup, WAL archive, restore to a named point),
`run` (the drill itself) and `report` (what it found, for people and for the deploy gate).
"""

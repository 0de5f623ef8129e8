"""Identity in SQL: sessions, throttles and the audit trail. Thin adapters over `platform.*`."""

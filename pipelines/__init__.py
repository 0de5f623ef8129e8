"""Dagster wiring: Definitions, resources, sensors, schedules, and the SQL the assets run."""

"""Dagster assets and the pure Polars transforms behind them."""

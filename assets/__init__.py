"""Dagster assets and the pure Polars transforms behind them."""

import warnings

import dagster as dg

# We use BackfillPolicy and MultiToSingleDimensionPartitionMapping on purpose (DESIGN.md section
# 3); their beta warnings would otherwise print in every Dagster process that loads the assets.
warnings.filterwarnings("ignore", category=dg.BetaWarning)

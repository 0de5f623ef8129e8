"""KRI colour: the rule lives in the kernel (`draxis.kri_colour`) so that the API can recolour a
KRI the moment its thresholds are saved with exactly the rule the pipeline applies."""

from __future__ import annotations

from draxis.kri_colour import KRI_COLUMNS as KRI_COLUMNS
from draxis.kri_colour import LATEST_COLUMNS as LATEST_COLUMNS
from draxis.kri_colour import STALE_AFTER as STALE_AFTER
from draxis.kri_colour import kri_status as kri_status

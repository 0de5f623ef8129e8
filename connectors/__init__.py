"""Connectors: one module per vendor, keyed by vendor id in ``connectors.registry``."""

"""Synthetic vendors that enforce their documented limits (page caps, offset caps, rate-limit
headers), for the cap tests and `bench/connectors_scale.py`. Each is a pure request handler;
`core.transport` serves one to the real client in-process, the bench serves it over loopback."""

"""Run tags the source sensors set and the observations asset reads."""

TRIGGER_TAG = "draxis/trigger"  # schedule | run_now | backfill (absent: launched by hand)
REQUEST_TAG = "draxis/request_id"  # the tenant.run_request a Run-now click created
VENDOR_TAG = "draxis/vendor"  # the run queue limits concurrent runs per vendor on it
TRACEPARENT_TAG = "draxis/traceparent"  # W3C trace context of the request behind the run

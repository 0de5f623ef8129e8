"""Run logs as JSON lines on stdout, like the API and the CLI (instead of the console logger)."""

import logging
import sys

import dagster as dg

from draxis.log import JsonFormatter


@dg.logger(
    config_schema={"log_level": dg.Field(str, is_required=False, default_value="INFO")},
    description="JSON lines on stdout with the run id, step and event type.",
)
def json_console_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger("draxis.run")
    logger.propagate = False
    logger.setLevel(init_context.logger_config["log_level"])
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    logger.handlers[:] = [handler]
    return logger

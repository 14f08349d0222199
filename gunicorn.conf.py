"""gunicorn settings for the CICA site (read automatically when gunicorn starts in this directory).

Command-line flags override these (make serve passes --workers and --bind). Sync workers, 2 per core
plus one (gunicorn's own advice): the issue's anchor measurement found that gthread or 2 to 4 sync
workers moved requests per second by less than 15 % on 2 cores, and a page-cache hit or a render
never waits long on I/O. make bench uses this file. Override with WEB_CONCURRENCY.
"""

import multiprocessing
import os

wsgi_app = "cicasite.wsgi"
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count() + 1)
worker_class = "sync"
timeout = 30
# X-Forwarded-Proto (set by the TLS-terminating proxy) is believed from loopback only by default.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Logs (cicasite.core.logs): one JSON object per line in production (DJANGO_DEBUG unset), readable text
# in development; LOG_FORMAT=json|text overrides. gunicorn's error log goes to stderr, its access log
# (one structured line per request: status, duration, bytes, address, request id) to stdout with
# Django's own lines. REQUEST_LOG_LEVEL=WARNING silences the access lines, as it does Django's per-request
# line (the benchmarks do).
logger_class = "cicasite.core.logs.GunicornLogger"
_debug = os.environ.get("DJANGO_DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}
_format = os.environ.get("LOG_FORMAT") or ("text" if _debug else "json")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        _format: {
            "()": {"json": "cicasite.core.logs.JSONFormatter", "text": "cicasite.core.logs.TextFormatter"}[_format]
        }
    },
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": _format},
        "stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": _format},
    },
    "root": {"level": "WARNING", "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {
            "level": os.environ.get("REQUEST_LOG_LEVEL", "INFO"),
            "handlers": ["stdout"],
            "propagate": False,
        },
    },
}

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
# One log line per request comes from cicasite.core.middleware.RequestLogMiddleware; no access log here.
accesslog = None

"""Gunicorn's configuration for Samhandling: `gunicorn -c samhandling/gunicorn.conf.py samhandling.wsgi`.

Every value can be overridden on the command line or through GUNICORN_CMD_ARGS. It also stops gunicorn from naming
itself in a `Server` header (which tells an attacker what to try; Django sends no such header either).
"""

import os

from gunicorn.http import wsgi

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(min(2 * (os.cpu_count() or 1) + 1, 9))))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # a large PDF or export may take a while
graceful_timeout = 20
max_requests = 10000  # recycle workers now and then, so a slow leak never grows large
max_requests_jitter = 1000
# Load Django once in the master and fork the workers from it: a recycled worker starts warm in milliseconds instead
# of importing every app again (about a second of CPU) while requests queue behind it. Nothing opens a database
# connection at import time, so no connection is shared across the fork.
preload_app = True
limit_request_line = 8190
limit_request_fields = 100
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Off unless asked for ("-" for standard output): the reverse proxy in front usually keeps the access log.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
# The access log has no query strings: they can hold what a user searched for.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'

_default_headers = wsgi.Response.default_headers


def _headers_without_server(self):  # type: ignore[no-untyped-def]
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _headers_without_server

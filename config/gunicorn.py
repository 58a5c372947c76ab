"""Gunicorn settings sized for the machine: ``gunicorn -c config/gunicorn.py config.wsgi``.

Every value can be overridden from the environment (``GUNICORN_BIND``, ``WEB_CONCURRENCY``,
``GUNICORN_THREADS``, ``GUNICORN_TIMEOUT``, ``GUNICORN_ACCESS_LOG``).
"""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
wsgi_app = "config.wsgi:application"

# A request spends about as long waiting on PostgreSQL as computing, so two synchronous
# processes per core keep the cores busy; more only adds memory and connection count.
workers = _int("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1)
# Threads let a worker overlap one request's database wait with another's Python.
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"

# No request may need more than 30 s: exports and rebuilds run in Celery.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak cannot grow without bound. Rarely, and
# spread widely: workers serve about equal shares, so with 5,000 and a 10 % jitter all five
# restarted within two seconds of each other under load (benchmarks/RESULTS.md).
max_requests = _int("GUNICORN_MAX_REQUESTS", 50_000)
max_requests_jitter = max_requests // 2
# Fork after importing Django once: faster start, shared memory pages.
preload_app = True

accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Only the trusted proxies (TRUSTED_PROXIES, as Django reads it) may claim to have terminated TLS.
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "").strip() or "127.0.0.1"


def when_ready(server: object) -> None:
    """Import every view before forking, so that all workers run the same code from the start.

    Django imports the URLconf lazily, at a worker's first request. With the app preloaded,
    doing it here once saves each worker that import, shares the modules' memory between
    workers, and keeps a worker recycled later (``max_requests``) on the code the master
    started with rather than whatever the files hold by then.
    """
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the import is the point

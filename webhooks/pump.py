"""The embedded default's delivery loop: a thread in the web process, as no worker runs there.

Started by the first request or event; it attempts what is due, then sleeps until woken by a new
event or for WEBHOOK_PUMP_SECONDS, so a receiver that was down gets its events within a retry
interval (WEBHOOK_RETRY_MAX_SECONDS) of coming back. With Celery the beat does the same.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection

from webhooks.services import webhook_deliveries_run

log = logging.getLogger(__name__)

_wake = threading.Event()
_lock = threading.Lock()
_thread: threading.Thread | None = None


def _loop() -> None:
    while settings.WEBHOOK_PUMP:
        _wake.clear()
        try:
            close_old_connections()
            webhook_deliveries_run()
        except Exception:
            log.exception("webhook deliveries failed this round; the next round retries")
        finally:
            connection.close()
        _wake.wait(timeout=settings.WEBHOOK_PUMP_SECONDS)


def pump_ensure() -> bool:
    """Start the loop in this process unless it runs; return whether it runs."""
    global _thread
    if not settings.WEBHOOK_PUMP:
        return False
    if _thread is not None and _thread.is_alive():
        return True
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_loop, name="webhook-pump", daemon=True)
            _thread.start()
    return True


def pump_wake() -> None:
    """Start the loop if needed, and make it look for due deliveries now."""
    if pump_ensure():
        _wake.set()

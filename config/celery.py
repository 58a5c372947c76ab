"""The Celery application; tasks run in-process when no broker is configured."""

import os
from typing import Any

from celery import Celery
from celery.signals import worker_init
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _yield_to_requests(**_kwargs: Any) -> None:
    """Lower the worker's CPU priority, which its pool processes inherit (WORKER_NICENESS)."""
    if settings.WORKER_NICENESS:
        os.nice(settings.WORKER_NICENESS)

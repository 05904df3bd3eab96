"""The project's Celery app with chosen functions slowed down, for fault tests
that kill a real worker at a known point: `celery -A tests.support.worker_app
worker` (start_worker(..., pauses=...) in tests/support/services.py).

A worker is another process, so a test cannot monkeypatch it; this module
patches the worker itself before it takes any message. TEST_WORKER_PAUSES is
JSON: {"package.module.function": {"before": seconds} or {"after": seconds}}.
Each pause logs "test-pause <function> <before|after>" first, so a test knows
the worker is inside it. The application code has no hook for this.
"""

import functools
import importlib
import json
import logging
import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_site.settings")
django.setup()

from crm_site.celery import app  # noqa: E402

logger = logging.getLogger(__name__)

__all__ = ["app"]


def slowed(target: str, func, *, before: float = 0, after: float = 0):
    def pause(when: str, seconds: float) -> None:
        if seconds:
            logger.warning("test-pause %s %s", target, when)
            time.sleep(seconds)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        pause("before", before)
        result = func(*args, **kwargs)
        pause("after", after)
        return result

    return wrapper


def install(pauses: dict) -> None:
    for target, pause in pauses.items():
        module_name, _, name = target.rpartition(".")
        module = importlib.import_module(module_name)
        setattr(module, name, slowed(target, getattr(module, name), **pause))


install(json.loads(os.environ.get("TEST_WORKER_PAUSES", "{}")))

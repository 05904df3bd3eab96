"""Celery wiring: settings come from Django settings under the CELERY_ prefix."""

import os
from pathlib import Path
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_site.settings")

app = Celery("crm_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

FOLDER_OPTIONS = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")


def _broker_folders(sender: Celery, **kwargs: Any) -> None:
    """The development broker (a folder of files, no REDIS_URL) needs its
    folders before the first message; kombu creates only the control one."""
    if not str(sender.conf.broker_url).startswith("filesystem:"):
        return
    options = sender.conf.broker_transport_options or {}
    for key in FOLDER_OPTIONS:
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


app.on_after_configure.connect(_broker_folders)

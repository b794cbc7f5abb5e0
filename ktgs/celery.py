"""The Celery application. Settings are read from Django settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ktgs.settings")

app = Celery("ktgs")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

"""The Celery app. Configuration comes from Django settings (CELERY_* names).

Run exactly one beat for the whole deployment; run as many workers as needed.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")

app = Celery("factcheck")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

"""WSGI entry point (gunicorn ktgs.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ktgs.settings")

application = get_wsgi_application()

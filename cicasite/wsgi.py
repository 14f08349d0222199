"""WSGI entry point, for gunicorn: `gunicorn cicasite.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cicasite.settings")

application = get_wsgi_application()

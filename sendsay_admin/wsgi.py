"""WSGI entry point for production servers (gunicorn, uWSGI) and `runserver`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sendsay_admin.settings")
application = get_wsgi_application()

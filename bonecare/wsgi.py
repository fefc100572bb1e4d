"""WSGI entry point for gunicorn."""

import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bonecare.settings")

try:
    application = get_wsgi_application()
except ImproperlyConfigured as error:  # said in one line: the variable to fix, not a trace
    sys.stderr.write(f"BoneCare cannot start: {error}\n")
    raise SystemExit(1) from None

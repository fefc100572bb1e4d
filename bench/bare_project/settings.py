"""The smallest Django settings DRF runs with: no database, no middleware, DEBUG off."""

import os

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "bench-bare-project-not-secret")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "rest_framework"]
MIDDLEWARE = []
ROOT_URLCONF = "bench.bare_project.urls"
WSGI_APPLICATION = "bench.bare_project.wsgi.application"
DATABASES = {}
USE_TZ = True
REST_FRAMEWORK = {"UNAUTHENTICATED_USER": None}

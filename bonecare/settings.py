"""The one settings module. Configuration comes from the environment; see env_bool()."""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from options.identity.config import provider_from_environment

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    """Read a boolean from the environment, accepting only 'true' or 'false'."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw == "true":
        return True
    if raw == "false":
        return False
    raise ImproperlyConfigured(f"{name} must be 'true' or 'false', not {raw!r}.")


def env_list(name, default):
    """Read a comma-separated list from the environment."""
    raw = os.environ.get(name, default)
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is not 'true'.")
    SECRET_KEY = "django-insecure-bonecare-local-development-only"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "simple_history",
    "axes",
    "csp",
    "options",
    "guidance",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "options.http",
    "options.api",
    "options.cds_hooks",
    "options.identity",
    "options.smart",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "options.identity.middleware.NoStoreMiddleware",
    # Before sessions: probes skip them; a lost database is a 503 (options/failure.py).
    "options.failure.AvailabilityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "options.identity.middleware.SessionLimitsMiddleware",
    # Last, as django-axes asks, so that it sees the outcome of every sign-in.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bonecare.urls"
WSGI_APPLICATION = "bonecare.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "options.identity.context.roles",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
    ),
}
# The embedded default under several workers: readers never wait for a writer (WAL), a write
# transaction takes the lock when it begins rather than failing to upgrade a read lock half
# way (IMMEDIATE), and a writer waits up to 20 s for another instead of "database is locked".
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    })

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}
# API and CDS Hooks throttles count across every worker process: in Redis when REDIS_URL is
# set, otherwise in a database table (options/http/counting.py).
if os.environ.get("REDIS_URL"):
    CACHES["throttle"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["REDIS_URL"]}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# NHS.UK frontend's built CSS and JS, installed by `npm ci` (package.json), never committed.
NHSUK_FRONTEND_DIR = BASE_DIR / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"
if NHSUK_FRONTEND_DIR.is_dir():
    STATICFILES_DIRS.append(("nhsuk", NHSUK_FRONTEND_DIR))
# Its stylesheet, built without external fonts by `make static-deps` (frontend/nhsuk.scss).
STATIC_BUILD_DIR = BASE_DIR / "staticbuild"
if STATIC_BUILD_DIR.is_dir():
    STATICFILES_DIRS.append(("build", STATIC_BUILD_DIR))
# In production whitenoise serves what `collectstatic` put in STATIC_ROOT under hashed names,
# compressed, with far-future cache headers; pages refuse to render a file it did not collect.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# The clinical scenarios are part of the project: they arrive from ../shared deliberately
# (tests/guidance/test_scenario_copy.py names any file that differs) and are read only from here.
BONECARE_SCENARIOS_DIR = BASE_DIR / "guidance" / "data" / "scenarios"
# Where the shared clinical material arrives from (only compared against, never read at run).
BONECARE_SHARED_DIR = Path(os.environ.get("BONECARE_SHARED_DIR") or BASE_DIR.parent / "shared")
# Rule review (guidance.rule_review): a rule is flagged when clinicians override advice citing
# it in more than this share of at least this many recorded decisions.
BONECARE_RULE_REVIEW_OVERRIDE_SHARE = float(
    os.environ.get("BONECARE_RULE_REVIEW_OVERRIDE_SHARE", "0.3"))
BONECARE_RULE_REVIEW_MIN_DECISIONS = int(os.environ.get("BONECARE_RULE_REVIEW_MIN_DECISIONS", "5"))

# Governance e-mail (guidance.notifications): through SMTP in production, printed to the
# console under DEBUG (`make run`); the tests' locmem backend is set by pytest-django. A slow
# mail server costs a governance step EMAIL_TIMEOUT seconds at most, and never undoes it.
EMAIL_BACKEND = ("django.core.mail.backends.console.EmailBackend" if DEBUG
                 else "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "bonecare@localhost")
# Where people reach BoneCare, for the links in those e-mails (no request to ask).
BONECARE_BASE_URL = os.environ.get("BONECARE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # each role's own page (options.identity.views.role_home)
LOGOUT_REDIRECT_URL = "login"

# Hospital sign-in through the trust's OpenID Connect provider (options/identity,
# docs/sign-in.md): off unless BONECARE_OIDC_ISSUER is set. Passwords (ModelBackend) only
# while BONECARE_LOCAL_SIGN_IN is true; the provider's sessions and everyone's permissions
# are held by ProviderBackend.
BONECARE_OIDC = provider_from_environment(os.environ, env_bool)
BONECARE_LOCAL_SIGN_IN = env_bool("BONECARE_LOCAL_SIGN_IN", True)
if not BONECARE_LOCAL_SIGN_IN and BONECARE_OIDC is None:
    raise ImproperlyConfigured(
        "BONECARE_LOCAL_SIGN_IN is 'false' but BONECARE_OIDC_ISSUER is not set: "
        "nobody could sign in.")
# History pages show past versions and never write them back ("Revert" would be a write path
# around two-person governance; guidance.console.history refuses the POST as well).
SIMPLE_HISTORY_REVERT_DISABLED = True

# django-axes: lock out a username from one IP address after repeated failures, so that one
# attacker can neither guess freely nor lock another user out from elsewhere.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    *(["django.contrib.auth.backends.ModelBackend"] if BONECARE_LOCAL_SIGN_IN else []),
    "options.identity.backends.ProviderBackend",
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address, for those lockouts, behind DJANGO_TRUSTED_PROXY_COUNT proxies that each
# append to X-Forwarded-For: the address the outermost of them saw (counted from the right, so
# a client cannot choose it by sending the header), not the proxy's own address that every
# request shares. With none, the connection's address.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    # django-ipware counts the proxies named in the header; the nearest is not, being the
    # connection's own address. Not strict: entries a client prepended are ignored.
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT - 1
    IPWARE_STRICT = False
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# REST API for EHR systems (options/api). Rates are per API client, e.g. "600/min".
BONECARE_API_THROTTLE_RATE = os.environ.get("BONECARE_API_THROTTLE_RATE", "600/min")
BONECARE_API_MAX_BODY_BYTES = int(os.environ.get("BONECARE_API_MAX_BODY_BYTES", "65536"))
BONECARE_API_PAGE_SIZE = 20

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "BoneCare API",
    "DESCRIPTION": (
        "Decision support on bone-strengthening options for adults with cancer in bone, "
        "from NICE guidance. Authenticate with `Authorization: Token <token>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "PREPROCESSING_HOOKS": ["options.api.schema.only_api_v1"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "options.api.schema.closed_input_objects",
    ],
    "ENUM_NAME_OVERRIDES": {
        "OptionEnum": "options.vocab.OPTIONS",
        "SpineLevelEnum": "options.vocab.SPINE_LEVELS",
        "SacralLevelEnum": "options.vocab.SACRAL_LEVELS",
        "LongBoneSiteEnum": "options.vocab.LONG_BONE_SITES",
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# HTTPS. With DEBUG off BoneCare is served over HTTPS only, normally behind a proxy that ends
# TLS (docs/operations.md). DJANGO_PLAIN_HTTP=true turns that off for a non-debug run over plain
# http on one's own machine: no redirect, no HSTS, cookies without the Secure flag.
HTTPS = not DEBUG and not env_bool("DJANGO_PLAIN_HTTP", False)
# Only when the proxy sets X-Forwarded-Proto on every request, replacing any a client sent:
# otherwise a client could claim https.
if env_bool("DJANGO_PROXY_SETS_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
# A load balancer's probes may arrive over plain http from inside.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Preloading is for a registrable domain as a whole, which a trust decides, not one service on
# a subdomain of it; so the check that asks for it is silenced rather than answered.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

# Cookies and headers.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
# The cookie ends with the browser; the session row ends after 12 hours at most.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 43200  # 12 hours
# Sign-in ends after 30 minutes idle and 12 hours in all (options.identity.middleware).
SESSION_IDLE_SECONDS = 30 * 60
SESSION_ABSOLUTE_SECONDS = SESSION_COOKIE_AGE
# Messages live in the session, not in a signed but readable cookie: one may hold a token.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
CSRF_COOKIE_HTTPONLY = True
# A refused form is a page in words (usually a page opened before the last sign-in).
CSRF_FAILURE_VIEW = "options.http.pages.csrf_failure"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = HTTPS
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Everything from BoneCare itself and nothing inline (django-csp); the API's Swagger UI adds
# only what it needs, in options/api/urls.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# The sign-in and sign-out forms lead on to the hospital's identity provider (options/identity).
if BONECARE_OIDC is not None:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(BONECARE_OIDC.origin)

# Console only, at INFO; django.request logs the path and status, never the body.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name} {message}", "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}

# --- Failure handling (docs/operations.md, "When the database or Redis goes away") ---
# A persistent connection broken by a database restart is replaced at the next request
# rather than failing it, so workers recover by themselves (CONN_MAX_AGE stays as above).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Give up on an unreachable server in seconds, not the operating system's minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
if "throttle" in CACHES:
    # A lost Redis costs a throttle check half a second at most; it then counts in the database.
    CACHES["throttle"]["OPTIONS"] = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
# What a client is asked to wait (Retry-After, seconds) while the database is unavailable.
BONECARE_RETRY_AFTER_SECONDS = 5
# Calls without a valid token, per client address: counted (api.AnonymousCallCount), not
# audited one row each, and refused with 429 beyond this rate.
BONECARE_API_ANONYMOUS_RATE = os.environ.get("BONECARE_API_ANONYMOUS_RATE", "60/min")
# CDS Hooks service for EHRs (options/cds_hooks): calls per EHR, the largest hook request
# (FHIR prefetch included), and how long to wait for an EHR's FHIR server or JWK Set URL.
BONECARE_CDS_THROTTLE_RATE = os.environ.get("BONECARE_CDS_THROTTLE_RATE", "600/min")
BONECARE_CDS_MAX_BODY_BYTES = int(os.environ.get("BONECARE_CDS_MAX_BODY_BYTES", "1048576"))
# SMART on FHIR (options/smart, docs/smart.md): BoneCare's private key for EHRs that register
# it as a confidential asymmetric client (PEM: EC P-384 for ES384, or RSA for RS384). Never
# stored, logged or served; its public half is at /smart/jwks.json.
BONECARE_SMART_SIGNING_KEY = os.environ.get("BONECARE_SMART_SIGNING_KEY", "")
BONECARE_SMART_SIGNING_KEY_ID = os.environ.get("BONECARE_SMART_SIGNING_KEY_ID", "")
BONECARE_CDS_FETCH_TIMEOUT_SECONDS = float(
    os.environ.get("BONECARE_CDS_FETCH_TIMEOUT_SECONDS", "5"))

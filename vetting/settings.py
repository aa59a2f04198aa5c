"""Settings for the vetting service.

Everything comes from environment variables; nothing else in the code reads os.environ.
The defaults are safe for production (DEBUG off, secure cookies, secrets required) except
where DEBUG=1 is set, which is what `make demo` does to run on the embedded default:
SQLite and Celery tasks executed in process.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def envsecret(name: str, dev_default: str) -> str:
    """A secret from NAME, or from the file named by NAME_FILE (Docker secrets).

    Outside DEBUG a missing secret is an error rather than a silent insecure default.
    """
    value = os.environ.get(name)
    path = os.environ.get(f"{name}_FILE")
    if not value and path:
        value = Path(path).read_text().strip()
    if value:
        return value
    if DEBUG:
        return dev_default
    raise ImproperlyConfigured(f"{name} must be set when DEBUG is off")


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envoptional(name: str) -> str:
    """An optional secret from NAME or from the file named by NAME_FILE; "" when unset."""
    value = os.environ.get(name)
    path = os.environ.get(f"{name}_FILE")
    if not value and path:
        value = Path(path).read_text().strip()
    return value or ""


def envsources(name: str) -> dict[str, list[str]]:
    """'vpn=https://a/ipv4.txt,https://a/ipv6.txt;datacenter=https://b' -> {category: [urls]}.

    Several URLs, or the same category named twice, make one category together.
    """
    sources: dict[str, list[str]] = {}
    for item in os.environ.get(name, "").split(";"):
        if not item.strip():
            continue
        category, _, urls = item.partition("=")
        category = category.strip()
        urls = [url.strip() for url in urls.split(",") if url.strip()]
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,49}", category) or not urls or not all(
            url.startswith(("https://", "http://")) for url in urls
        ):
            raise ImproperlyConfigured(
                f"{name} must look like 'vpn=https://...,https://...;datacenter=https://...' "
                f"(lower-case category slugs, http(s) URLs), got {item.strip()!r}"
            )
        sources.setdefault(category, []).extend(urls)
    return sources


DEBUG = envbool("DEBUG", "False")

SECRET_KEY = envsecret("SECRET_KEY", "dev-only-insecure-secret-key-do-not-use-in-production")
# Key for the HMAC fingerprints of bank account numbers, IBANs and routing numbers. It is
# separate from SECRET_KEY so that rotating the session key does not break reuse matching.
# Changing it makes every stored fingerprint unmatchable: treat it as permanent.
FINGERPRINT_KEY = envsecret("FINGERPRINT_KEY", "dev-only-fingerprint-key")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",  # sign-in lock-outs (review/signin.py)
    # The project's apps, bottom layer first (docs/architecture.md).
    "core",  # shared ground: audit trail, error types, events
    "candidates",  # the applicant record and the ATS API
    "intel",  # external reference data: IP ranges, sanctions, GitHub, line types
    "signals",  # the red-flag checks and the risk score
    "review",  # the review workflow: queue, candidate pages, decisions (app label "vetting")
    "webhooks",  # signed outbound webhooks to the integrations' systems
    "demo",  # demo population, seed_demo and evaluate_scoring
    "connectors",  # ATS connectors: webhooks in, the ATS's API, the verdict written back
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves static files itself and returns: they keep WhiteNoise's long cache lifetimes,
    # and everything below applies to the pages and the API only.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy on every response (SECURE_CSP below).
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Cache-Control: no-store on every response: they carry applicant data.
    "core.middleware.NoStoreMiddleware",
    # Every answer under /api/ is JSON in the API's error shape (core/exceptions.py),
    # including Django's own 404/413/500 pages and a database outage (503). Inside the two
    # above, so that its answers carry the same headers.
    "core.exceptions.ApiErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who is acting, for audit records written where no request is at hand (role changes).
    "core.middleware.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes asks: turns a locked-out sign-in into a 429 (review/signin.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "vetting.urls"
WSGI_APPLICATION = "vetting.wsgi.application"

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
                # The CSP nonce, for the admin's few nonce'd inline tags.
                "django.template.context_processors.csp",
                "review.context.review_nav",
            ],
        },
    },
]

# The embedded default is SQLite; production and the tests use PostgreSQL through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "60"),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security: production defaults, relaxed only by DEBUG (the local demo serves plain http).
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "False" if DEBUG else "True")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy: only this site's own files, no inline script or style. Our
# templates have none (static/review/ holds every script and style; a test keeps it so). The
# nonce is for the Django admin, which marks its few inline tags with one; it appears in the
# header only on a page that used it.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Behind a TLS-terminating proxy (docker-compose, most PaaS) the proxy sets this header.
if envbool("SECURE_PROXY_SSL_HEADER", "False"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["candidates.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["candidates.authentication.IsIntegration"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.exceptions.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["candidates.parsers.StrictJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["candidates.throttling.ApiKeyRateThrottle"],
    "UNAUTHENTICATED_USER": None,
}

# Requests per API key, "<n>/<second|minute|hour|day>"; over it the API answers 429 with
# Retry-After. Generous: an ATS sends a record when an applicant applies or changes, and a
# bulk back-fill at this rate is 72,000 records an hour; the limit is there so that one
# runaway integration cannot take the service from the others. Empty: no limit.
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "1200/minute")
if API_RATE_LIMIT and not re.fullmatch(r"[1-9][0-9]*/(s|m|h|d)[a-z]*", API_RATE_LIMIT):
    raise ImproperlyConfigured(
        f"API_RATE_LIMIT must look like '1200/minute' (or be empty), got {API_RATE_LIMIT!r}"
    )
# The largest request body (bytes) read at all: bigger ones answer 413 before being read.
# The largest valid candidate record (every list full, every text at its maximum length,
# all of it emoji sent as \u escapes) is about 2.3 MB; realistic ones are a few KB.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", str(3 * 1024 * 1024))

SPECTACULAR_SETTINGS = {
    "TITLE": "Candidate vetting API",
    "DESCRIPTION": (
        "The API through which applicant tracking systems send applicants to be vetted and "
        "read back their risk. Authenticate with `Authorization: Bearer <api key>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The router's ".json" suffix routes are aliases of the documented ones.
    "PREPROCESSING_HOOKS": ["drf_spectacular.hooks.preprocess_exclude_path_format"],
    # Error responses (400/401/404/406/413/415/422/429/503) on every operation that can
    # answer them, with the error body's schema (candidates/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "candidates.schema.document_error_responses",
    ],
    # Stable names for the enums of choice fields used in several places.
    "ENUM_NAME_OVERRIDES": {
        "RiskStatusEnum": "candidates.models.RiskStatus",
        "RiskLevelEnum": "candidates.models.RiskLevel",
        "ProfileNetworkEnum": "candidates.models.ProfileNetwork",
        "IpSourceEnum": "candidates.models.IpSource",
        "AddressKindEnum": "candidates.models.AddressKind",
        "PaymentMethodEnum": "candidates.models.PaymentMethod",
        "IdentifierKindEnum": "candidates.models.IdentifierKind",
        "SeverityEnum": "candidates.serializers.SEVERITIES",
        "ReviewStateEnum": "review.models.ReviewState",
    },
}

# Celery. Without REDIS_URL (the embedded default) tasks run in process, eagerly.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
# kombu's Redis transport with one fix: a worker goes on consuming after Redis failed to
# confirm an acknowledgement (vetting/broker.py explains). Not for rediss:// (TLS).
CELERY_BROKER_TRANSPORT = "vetting.broker:Transport" if REDIS_URL.startswith("redis://") else None
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "vetting")
# Global ceilings: a scoring run takes milliseconds; anything near these is stuck.
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_WORKER_PREFETCH_MULTIPLIER = envint("CELERY_WORKER_PREFETCH_MULTIPLIER", "1")
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Redis redelivers an unacknowledged (acks_late) message after this many seconds; tasks are
# kept far below it by the time limits above.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# Publishes by beat and by tasks (retries) try briefly. No request publishes: the scoring
# hand-off goes through a relay thread with its own, shorter bound (signals/tasks.py).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# The scoring task's hard time limit. A score takes milliseconds; only the GitHub and
# line-type look-ups can wait (each bounded by its own timeout). The soft limit, at 80%,
# ends a slow check as failed (retried) and the score is still stored. A worker's lease on
# the candidate it starts lasts this plus 5 s: a pending candidate whose lease ran out lost
# its worker, and the next sweep sends it again.
SCORING_TIME_LIMIT = envint("SCORING_TIME_LIMIT", "25")
# How often beat runs the sweep (signals.tasks.candidates_sweep_unscored_task). A task whose
# worker died is re-run within SCORING_TIME_LIMIT + 5 + this (45 s by default).
SCORING_SWEEP_SECONDS = envint("SCORING_SWEEP_SECONDS", "15")
# A candidate published this long ago that no worker ever started, while nothing waits in
# the queue, lost its message (Redis restarted without its data): the sweep sends it again.
SCORING_REQUEUE_AFTER_SECONDS = envint("SCORING_REQUEUE_AFTER_SECONDS", "300")
# How often the sweep re-scores a candidate whose last score lacks a check (GitHub down for
# hours, say) once the task's own retries are spent.
SCORING_INCOMPLETE_RETRY_SECONDS = envint("SCORING_INCOMPLETE_RETRY_SECONDS", "3600")

CELERY_BEAT_SCHEDULE = {
    # ATS deliveries, write-backs and Assessment callbacks whose task never reached a worker.
    "sweep-connectors": {
        "task": "connectors.tasks.connectors_sweep_task",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    # Re-enqueue candidates whose scoring was never published (broker outage) or whose
    # worker died; expires so a backlog of sweeps does not pile up behind an outage.
    "sweep-unscored-candidates": {
        "task": "signals.tasks.candidates_sweep_unscored_task",
        "schedule": float(SCORING_SWEEP_SECONDS),
        "options": {"expires": max(1, SCORING_SWEEP_SECONDS - 1)},
    },
    # Idempotency keys are kept for 24 hours (Stripe's window), then pruned.
    "prune-idempotency-keys": {
        "task": "candidates.tasks.idempotency_keys_prune_task",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
}

# --- Outbound webhooks (webhooks/, docs/webhooks.md) ---------------------------------------
# Signing secrets are stored encrypted (Fernet) with a key derived from this one. Changing it
# makes every stored secret unreadable: endpoints must then be given new secrets.
WEBHOOK_SECRET_KEY = envsecret("WEBHOOK_SECRET_KEY", "dev-only-webhook-secret-key")
# Where the links in event payloads point (the review UI's address as receivers see it).
SITE_URL = (os.environ.get("SITE_URL") or "http://localhost:8000").rstrip("/")
# Only https:// endpoint URLs, except with DEBUG (the local demo) or when this is turned off.
WEBHOOK_REQUIRE_HTTPS = envbool("WEBHOOK_REQUIRE_HTTPS", "False" if DEBUG else "True")
# Private, loopback and link-local addresses are refused (SSRF) unless named here, as
# comma-separated networks or addresses ("10.20.0.0/16,127.0.0.1"); the tests name 127.0.0.1.
WEBHOOK_ALLOWED_PRIVATE_NETWORKS = envlist("WEBHOOK_ALLOWED_PRIVATE_NETWORKS", "")
# Seconds to connect and to wait for each read; a slow receiver is retried, not waited for.
WEBHOOK_CONNECT_TIMEOUT = envint("WEBHOOK_CONNECT_TIMEOUT", "3")
WEBHOOK_READ_TIMEOUT = envint("WEBHOOK_READ_TIMEOUT", "10")
# Seconds after the first of a run of failures (with no success since) before an endpoint
# is disabled and the admins are told; five days by default.
WEBHOOK_DISABLE_AFTER_SECONDS = envint("WEBHOOK_DISABLE_AFTER_SECONDS", str(5 * 24 * 3600))
# Seconds a published delivery may sit unsent (lost with the broker, worker killed) before
# the sweep publishes it again; a worker's claim on a delivery lasts this long too.
WEBHOOK_REPUBLISH_SECONDS = envint("WEBHOOK_REPUBLISH_SECONDS", "60")
# How long the old secret keeps signing after a rotation (both signatures are sent).
WEBHOOK_ROTATION_GRACE_SECONDS = envint("WEBHOOK_ROTATION_GRACE_SECONDS", str(24 * 3600))
CELERY_BEAT_SCHEDULE["sweep-webhook-deliveries"] = {
    # Publishes due retries and deliveries the broker or a dead worker lost; frequent, since
    # the first retry comes after seconds. Expires so sweeps do not pile up in an outage.
    "task": "webhooks.tasks.deliveries_sweep_task",
    "schedule": 5.0,
    "options": {"expires": 5},
}

# --- External intelligence: IP range lists and IP geolocation (intel/ipranges.py, geo.py) --
# Range lists imported daily from URLs by Celery beat, as "category=url[,url...];...", e.g.
#   IP_RANGE_SOURCES="vpn=<X4BNet>/output/vpn/ipv4.txt,<X4BNet>/output/vpn/ipv6.txt;
#                     datacenter=<X4BNet>/output/datacenter/ipv4.txt"
# Several URLs make one category together (an import replaces the whole category). Empty by
# default: nothing is scheduled and nothing is downloaded; `manage.py import_ip_ranges`
# imports a file or URL by hand. See README "Data sources".
IP_RANGE_SOURCES = envsources("IP_RANGE_SOURCES")
# Hour (UTC) of the daily imports; the lists change about daily upstream.
IP_RANGES_IMPORT_HOUR = envint("IP_RANGES_IMPORT_HOUR", "3")
for _n, (_category, _urls) in enumerate(sorted(IP_RANGE_SOURCES.items())):
    # One entry per category, a few minutes apart so the imports do not run at once.
    CELERY_BEAT_SCHEDULE[f"import-ip-ranges-{_category}"] = {
        "task": "intel.tasks.ip_ranges_import_task",
        "schedule": crontab(hour=IP_RANGES_IMPORT_HOUR, minute=(7 + 5 * _n) % 60),
        "args": (_category, _urls),
        # A run that could not start for hours waits for the next day's.
        "options": {"expires": 6 * 3600},
    }
# How often (seconds) a worker asks the database whether a range list was imported since it
# built its in-memory index (one aggregate query); a new list is live after at most this.
IP_RANGES_REFRESH_SECONDS = envint("IP_RANGES_REFRESH_SECONDS", "30")
# Optional MaxMind GeoLite2/GeoIP2 Country or City database (.mmdb) for IP countries. Unset:
# the offline iptocc package (RIR allocation data shipped in the wheel, no licence key).
GEOIP_MMDB_PATH = os.environ.get("GEOIP_MMDB_PATH", "")

# --- External intelligence: GitHub profile age, optional phone line-type provider ----------
# Called only by the scoring workers (signals/checks/profile_age.py, line_type.py), never in
# a request. Off by default with DEBUG, so that the demo makes no network calls.
GITHUB_ENABLED = envbool("GITHUB_ENABLED", "False" if DEBUG else "True")
# The GitHub REST API (another base URL for GitHub Enterprise Server, or for tests).
GITHUB_API_URL = os.environ.get("GITHUB_API_URL", "https://api.github.com")
# Optional, and needs no scope (public data only): 5,000 requests an hour instead of 60 per IP.
GITHUB_TOKEN = envoptional("GITHUB_TOKEN")
# Seconds to wait for GitHub before the check is marked pending and retried later.
GITHUB_TIMEOUT = envint("GITHUB_TIMEOUT", "5")
# How long an answer (an account, or "no such account") is reused. Creation dates do not
# change, and a week keeps re-scoring well inside the rate limit.
GITHUB_CACHE_SECONDS = envint("GITHUB_CACHE_SECONDS", str(7 * 24 * 3600))

# Line type (mobile, landline, nonFixedVoip, ...) from a Twilio Lookup v2 compatible API.
# Optional: without both credentials, VoIP on US (+1) numbers is reported as undetermined,
# since offline metadata cannot tell. Each look-up is billed; answers are cached.
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = envoptional("TWILIO_AUTH_TOKEN")
if bool(TWILIO_ACCOUNT_SID) != bool(TWILIO_AUTH_TOKEN):
    raise ImproperlyConfigured("set both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or neither")
TWILIO_LOOKUP_URL = os.environ.get("TWILIO_LOOKUP_URL", "https://lookups.twilio.com")
TWILIO_TIMEOUT = envint("TWILIO_TIMEOUT", "5")
# Numbers are ported between carriers and line types now and then: re-ask after a month.
LINE_TYPE_CACHE_SECONDS = envint("LINE_TYPE_CACHE_SECONDS", str(30 * 24 * 3600))

# --- External intelligence: sanctions screening (intel/sanctions.py) -----------------------
# OFAC's SDN.CSV and ALT.CSV, imported daily by Celery beat when SANCTIONS_SDN_URL is set
# (OFAC's Sanctions List Service: .../api/PublicationPreview/exports/SDN.CSV and ALT.CSV; see
# README "Data sources"). Empty by default: nothing is scheduled or downloaded, and
# `manage.py import_sanctions` imports files or URLs by hand.
SANCTIONS_SDN_URL = os.environ.get("SANCTIONS_SDN_URL", "")
SANCTIONS_ALT_URL = os.environ.get("SANCTIONS_ALT_URL", "")
# Keep every SDN entry rather than only the North Korea programmes (tags beginning DPRK).
SANCTIONS_ALL_PROGRAMS = envbool("SANCTIONS_ALL_PROGRAMS", "False")
# Hour (UTC) of the daily import; OFAC publishes changes on working days, at no fixed time.
SANCTIONS_IMPORT_HOUR = envint("SANCTIONS_IMPORT_HOUR", "4")
if SANCTIONS_ALT_URL and not SANCTIONS_SDN_URL:
    raise ImproperlyConfigured("SANCTIONS_ALT_URL needs SANCTIONS_SDN_URL")
if SANCTIONS_SDN_URL:
    CELERY_BEAT_SCHEDULE["import-sanctions"] = {
        "task": "intel.tasks.sanctions_import_task",
        "schedule": crontab(hour=SANCTIONS_IMPORT_HOUR, minute=23),
        "args": (SANCTIONS_SDN_URL, SANCTIONS_ALT_URL or None, SANCTIONS_ALL_PROGRAMS),
        # A run that could not start for hours waits for the next day's.
        "options": {"expires": 6 * 3600},
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Tasks run in process on the embedded default: a "task succeeded" line per candidate
    # would drown the demo's output. Workers keep them.
    "loggers": {"celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"}},
}

# The review UI (review.views).
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"
# Sign-in protection: django-axes, for the review UI's sign-in and the admin's alike. The
# policy and why it cannot be aimed at a user: review/signin.py. Its backend comes first and
# refuses a locked client before any password is checked.
AUTHENTICATION_BACKENDS = [
    "review.signin.SignInBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Counters live in the cache (Redis when REDIS_URL is set, so every web process shares them),
# expire on their own, and write nothing to the database however many usernames are tried.
AXES_HANDLER = "review.signin.SignInLockoutHandler"
# One counter per (username, client address) pair, one per client address across usernames.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
# Failures per (username, address) before that pair is locked...
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
# ...per address across all usernames (password spraying from one place)...
SIGNIN_ADDRESS_FAILURE_LIMIT = envint("SIGNIN_ADDRESS_FAILURE_LIMIT", "20")
# ...and system-wide per cool-off window, past which every address gets only
# AXES_FAILURE_LIMIT failures across usernames (spraying from many places).
SIGNIN_GLOBAL_FAILURE_LIMIT = envint("SIGNIN_GLOBAL_FAILURE_LIMIT", "100")
# How long a lock holds after the failure that set it; counts expire this long after the
# last failure.
AXES_COOLOFF_TIME = timedelta(seconds=envint("AXES_COOLOFF_SECONDS", "900"))
AXES_RESET_ON_SUCCESS = True
# Attempts while locked are refused unchecked and not counted (the lock does not grow).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "review.signin.signin_username"
AXES_CLIENT_IP_CALLABLE = "review.signin.client_address"
# The form shows the lock-out message; axes only turns the answer into a 429.
AXES_LOCKOUT_CALLABLE = "review.signin.lockout_response"
# The lock-outs are on the audit trail; axes' own tables stay empty with the cache handler.
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# Lock-out events written to the audit trail per hour at most (a flood is logged instead).
SIGNIN_AUDIT_LOCKOUT_LIMIT = envint("SIGNIN_AUDIT_LOCKOUT_LIMIT", "50")
# The client address. By default REMOTE_ADDR, and no forwarded header is trusted: a client
# could write anything there. Behind a TLS proxy every client would then share the proxy's
# address, so name the header the proxy sets (docker-compose.yml does), and make sure the app
# is reachable only through that proxy. AXES_IPWARE_PROXY_COUNT is the number of proxy
# addresses after the client's in that header: 0 when one proxy appends the client's address
# (nginx's $proxy_add_x_forwarded_for, Caddy, Traefik), 1 with a CDN in front of that proxy.
AXES_IPWARE_META_PRECEDENCE_ORDER = tuple(
    envlist("AXES_IPWARE_META_PRECEDENCE_ORDER", "REMOTE_ADDR"))
AXES_IPWARE_PROXY_COUNT = (
    envint("AXES_IPWARE_PROXY_COUNT", "0")
    if os.environ.get("AXES_IPWARE_PROXY_COUNT", "").strip() else None
)
# ipware's "left-most" reads the header client-first, as X-Forwarded-For is written; with a
# proxy count it takes the entry that many places from the right end, where our own proxy
# appended the address it saw. Entries further left were written by the client and are never
# taken. Not strict, so a client that sends its own X-Forwarded-For still gets the address
# our proxy appended rather than falling back to the proxy's.
AXES_IPWARE_PROXY_ORDER = "left-most"
IPWARE_STRICT = False
# Reviewers sign in for a working session, not for weeks.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(12 * 3600))

# The cache holds the sign-in failure counters (django-axes) and the dashboard's aggregates
# for a minute. With Redis configured it is shared by every web process (so a lock-out holds
# across gunicorn workers); the embedded default (one process) keeps it in process memory.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
         "KEY_PREFIX": "vetting-cache", "TIMEOUT": 300}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Seconds the overview dashboard's aggregates are reused before being recomputed.
DASHBOARD_CACHE_SECONDS = envint("DASHBOARD_CACHE_SECONDS", "60")

# The queue at recruiter scale (docs/review.md, "Queue at recruiter scale").
# Candidates scored below this level whose flags are all weak (severity low or info) are
# cleared by the system as "No review needed" when scored; "" or "low" switches it off.
REVIEW_NO_REVIEW_BELOW = os.environ.get("REVIEW_NO_REVIEW_BELOW", "medium").strip().lower()
if REVIEW_NO_REVIEW_BELOW not in ("", "low", "medium", "high", "critical"):
    raise ImproperlyConfigured("REVIEW_NO_REVIEW_BELOW must be low, medium, high or critical, "
                               f"got {REVIEW_NO_REVIEW_BELOW!r}")
# New high and critical candidates are assigned to the active recruiters in turn when first
# scored (the one with the fewest open assigned candidates first).
REVIEW_ROUND_ROBIN = envbool("REVIEW_ROUND_ROBIN", "False")
# A candidate waiting longer than this for its first score shows "stuck" in the queue.
REVIEW_STUCK_MINUTES = envint("REVIEW_STUCK_MINUTES", "15")
# Most candidates one bulk action (clear, assign) takes at once.
REVIEW_BULK_CAP = envint("REVIEW_BULK_CAP", "5000")

# ATS connectors (connectors/). Webhook secrets and ATS API keys are stored encrypted with
# these Fernet keys (comma-separated; the first encrypts, all decrypt, for rotation). Make one
# with `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.
# Optional outside DEBUG so that a deployment without ATS connections needs no key; saving a
# connection's secret without one fails loudly (connectors.crypto).
_fernet_keys = envoptional("CONNECTORS_FERNET_KEY") or (
    "ZGV2LW9ubHktY29ubmVjdG9ycy1rZXktMzItYnl0ZXM=" if DEBUG else "")
CONNECTORS_FERNET_KEYS = [key.strip() for key in _fernet_keys.split(",") if key.strip()]
# Webhook bodies above this are refused with 413 (ATS payloads are a few kilobytes).
CONNECTORS_MAX_BODY_BYTES = envint("CONNECTORS_MAX_BODY_BYTES", str(1024 * 1024))
# Resume downloads: refused above this size, abandoned after this many seconds.
CONNECTORS_RESUME_MAX_BYTES = envint("CONNECTORS_RESUME_MAX_BYTES", str(10 * 1024 * 1024))
CONNECTORS_HTTP_TIMEOUT = envint("CONNECTORS_HTTP_TIMEOUT", "10")

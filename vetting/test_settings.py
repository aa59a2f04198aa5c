"""Test overrides: real PostgreSQL and Redis, as CI and developer machines run them.

DATABASE_URL and REDIS_URL may be set to point elsewhere; the defaults are the services these
machines run on 127.0.0.1. Tests never fall back to SQLite or to eager tasks silently.
"""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-secret-key")
os.environ.setdefault("FINGERPRINT_KEY", "test-fingerprint-key")
os.environ.setdefault("CONNECTORS_FERNET_KEY", "dGVzdC1jb25uZWN0b3JzLWZlcm5ldC1rZXktMzJieXQ=")
os.environ.setdefault("WEBHOOK_SECRET_KEY", "test-webhook-secret-key")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vetting")
# Database 15 and a queue of its own keep test traffic apart from anything else on Redis.
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("CELERY_QUEUE", "vetting-test")

from vetting.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Serve static files from the app finders: tests do not run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tests never reach the internet: the GitHub API and the line-type provider are off unless a
# test points them at its own local HTTP server (pytest-httpserver) with the settings fixture.
GITHUB_ENABLED = False
TWILIO_ACCOUNT_SID = TWILIO_AUTH_TOKEN = ""
# "No review needed" clears untouched low-risk candidates as they are scored (default
# "medium" in production): off for the suite, so that tests of scoring, webhooks and the ATS
# see the candidates they score stay new; tests/review/test_triage.py turns it on.
REVIEW_NO_REVIEW_BELOW = ""

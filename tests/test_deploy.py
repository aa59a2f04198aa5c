"""Production settings pass Django's deployment checklist, and the project starts the way
the README and docker-compose start it."""

import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from candidates.authentication import api_key_hash
from candidates.models import ApiKey

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x7#kq!2mZp9@Lw4rTn8vB6yC1dF3gH5jK0sA-uE+oI=eR$tY%pQ^zX&cV*bN(mM)",
    "FINGERPRINT_KEY": "a-long-random-fingerprint-key-for-the-deploy-check",
    "WEBHOOK_SECRET_KEY": "a-long-random-webhook-secret-key-for-the-deploy-check",
    "ALLOWED_HOSTS": "vetting.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/vetting",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
}


def manage(*args, env_overrides=None):
    # A clean environment: the test process's own settings must not leak into this one.
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    env.update(env_overrides or {})
    return subprocess.run([sys.executable, "manage.py", *args], env=env, capture_output=True,
                          text=True, timeout=60)


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = dict(PRODUCTION_ENV)
    del env["SECRET_KEY"]
    result = manage("check", env_overrides=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_create_api_key_prints_the_key_once_and_stores_only_its_hash(capsys):
    call_command("create_api_key", "workday-prod")
    out = capsys.readouterr()
    key = out.out.strip()
    assert key.startswith("vk_") and len(key) > 40
    stored = ApiKey.objects.get(integration__name="workday-prod")
    assert stored.key_hash == api_key_hash(key)
    assert "cannot be shown again" in out.err


@pytest.mark.django_db
def test_an_admin_creates_an_api_key_and_sees_it_once(admin_client):
    from candidates.models import Integration

    integration = Integration.objects.create(name="ashby")
    response = admin_client.post(
        "/admin/candidates/integration/",
        {"action": "create_api_key", "_selected_action": [integration.pk]},
    )
    assert response.status_code == 200
    key = response.context["key"]
    assert key.startswith("vk_") and key in response.content.decode()
    assert ApiKey.objects.get(integration=integration).key_hash == api_key_hash(key)
    from core.audit import AuditEvent

    event = AuditEvent.objects.get(action="api_key.create")
    assert event.actor.is_superuser and event.after["prefix"] == key[:10]
    assert key not in str(event.after)

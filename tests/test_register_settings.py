"""Start-up refuses bad configuration, naming the variable; production settings pass the deploy check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k3Jq9-vN2wXr8TzL5pYb7HcM4dGf6sAe1uQo0iWn_ZyVtRxPlKjBhCgDmFsEaUw",
    "ALLOWED_HOSTS": "claims.example.org",
}


def manage(*args, **env):
    # DJANGO_ALLOW_ASYNC_UNSAFE belongs to the browser tests and must not reach a deployment check.
    unset = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "nonsense"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("EMAIL_URL", "carrier-pigeon://coop"),
        ("EMAIL_PORT", "twenty-five"),
        ("TIME_ZONE", "Mars/Olympus_Mons"),
        ("DEBUG", "maybe"),
        ("REMINDER_LEAD_DAYS", "30,a week"),
    ],
)
def test_a_bad_setting_stops_start_up_naming_the_variable(variable, value):
    env = {"DEBUG": "1", variable: value}
    if variable == "EMAIL_PORT":
        env["EMAIL_HOST"] = "mail.example.org"
    result = manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr and value in result.stderr


def test_debug_off_without_a_secret_key_refuses_to_start():
    result = manage("check", DEBUG="0", ALLOWED_HOSTS="claims.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_deploy_check_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_behind_a_tls_proxy_the_redirect_can_be_turned_off():
    result = manage(
        "shell", "-c", "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)",
        SECURE_SSL_REDIRECT="0", **PRODUCTION,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["False", "31536000"]


def test_a_bad_database_url_is_reported_without_its_password():
    result = manage("check", DEBUG="1", DATABASE_URL="mysqlx://newsroom:hunter2secret@db.example.org/claims")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr and "db.example.org" in result.stderr
    assert "hunter2secret" not in result.stderr

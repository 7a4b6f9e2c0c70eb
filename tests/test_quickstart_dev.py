"""The quick start's development defaults: the checkout's .env, names of its own, the hints it prints,
emails in the log, no favicon 404.

The whole `make run` from a clean clone is tests/test_quickstart_clone.py.
"""

# Fixtures imported from test_reminders_support are used as test arguments, which ruff reads as redefinitions.
# ruff: noqa: F811

import json
import logging
import os
import shlex
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.core import mail
from django.core.management import call_command
from django.templatetags.static import static
from django.utils import timezone

from claims.reminders.sweep import sweep
from factcheck import quickstart
from factcheck.env import read_env_file

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def environment():
    """os.environ, put back as it was after the test (read_env_file writes into it)."""
    saved = dict(os.environ)
    yield os.environ
    os.environ.clear()
    os.environ.update(saved)


def env_lines(path: Path) -> dict:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if line and not line.startswith("#"))


# --- .env ------------------------------------------------------------------------------


def test_make_run_writes_the_env_file_once_and_points_site_url_at_each_port(tmp_path):
    path = tmp_path / ".env"
    assert quickstart.write_env_file(path, port=8101) is True
    first = env_lines(path)
    assert first["DEBUG"] == "1"
    assert first["SITE_URL"] == "http://127.0.0.1:8101"
    assert len(first["SECRET_KEY"]) >= 50
    assert path.stat().st_mode & 0o777 == 0o600, "the file holds a key"

    assert quickstart.write_env_file(path, port=8123) is False
    second = env_lines(path)
    assert second == {**first, "SITE_URL": "http://127.0.0.1:8123"}, "the key is kept; only the port moves"


def test_lines_added_by_hand_and_a_site_url_of_ones_own_are_kept(tmp_path):
    path = tmp_path / ".env"
    path.write_text("DEBUG=1\nSECRET_KEY=mine\nSITE_URL=https://claims.dev.example\n# a note\nTIME_ZONE=Europe/Rome\n")
    quickstart.write_env_file(path, port=8123)
    assert path.read_text() == (
        "DEBUG=1\nSECRET_KEY=mine\nSITE_URL=https://claims.dev.example\n# a note\nTIME_ZONE=Europe/Rome\n"
    )
    path.write_text("SITE_URL=http://localhost:8000/\n")
    quickstart.write_env_file(path, port=8123)
    assert env_lines(path)["SITE_URL"] == "http://127.0.0.1:8123"
    assert env_lines(path)["DEBUG"] == "1" and env_lines(path)["SECRET_KEY"]


def test_the_env_file_fills_what_is_unset_and_the_environment_wins(tmp_path, environment):
    path = tmp_path / ".env"
    path.write_text("SECRET_KEY=from-the-file\nSITE_URL=http://127.0.0.1:8123\nQUICKSTART_TEST_ONLY='quoted'\n")
    environment.pop("PYTEST_VERSION")  # as in manage.py, the worker and the web process
    environment.pop("SECRET_KEY", None)
    environment["SITE_URL"] = "https://set.example"
    assert read_env_file(path) is True
    assert environment["SECRET_KEY"] == "from-the-file"
    assert environment["SITE_URL"] == "https://set.example"
    assert environment["QUICKSTART_TEST_ONLY"] == "quoted"


@pytest.mark.parametrize(
    ("variables", "why"),
    [
        ({"DEBUG": "0"}, "production takes no key or address from a file lying in its directory"),
        ({"DEBUG": "1", "PYTEST_VERSION": "9"}, "tests pass or fail the same whatever a developer's file says"),
    ],
)
def test_the_env_file_is_not_read_in_production_nor_by_tests(tmp_path, environment, variables, why):
    path = tmp_path / ".env"
    path.write_text("SECRET_KEY=from-the-file\nQUICKSTART_TEST_ONLY=1\n")
    environment.pop("PYTEST_VERSION")
    environment.pop("SECRET_KEY", None)
    environment.update(variables)
    assert read_env_file(path) is False, why
    assert "QUICKSTART_TEST_ONLY" not in environment
    assert "SECRET_KEY" not in environment


def test_prepare_hands_its_processes_one_decision(tmp_path, environment):
    environment.pop("PYTEST_VERSION")
    environment.pop("REDIS_URL", None)
    environment.update({"DEBUG": "1", "EMBEDDED_SERVICES": "1", "RUN_DIR": str(tmp_path / "run")})
    line = quickstart.prepare(8123, base_dir=tmp_path)
    assert "No Redis on 127.0.0.1:6379" in line and "Wrote .env" in line
    assert (tmp_path / "run" / "processes.env").read_text() == "EMBEDDED_SERVICES=1\n"
    assert env_lines(tmp_path / ".env")["SITE_URL"] == "http://127.0.0.1:8123"

    environment.update({"EMBEDDED_SERVICES": "auto", "REDIS_URL": "redis://127.0.0.1:6379/4"})
    line = quickstart.prepare(8124, base_dir=tmp_path)
    assert line == "Redis at redis://127.0.0.1:6379/4: Celery's queue and the cache, under this checkout's own names."
    assert (tmp_path / "run" / "processes.env").read_text() == "EMBEDDED_SERVICES=0\n", "REDIS_URL is set: Redis"


# --- names of its own -------------------------------------------------------------------


def settings_of(**env) -> dict:
    """Settings as a process started with ``env`` (and none of this run's) reads them."""
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'prefix': s.CACHES['default']['KEY_PREFIX'], "
        "'broker_prefix': s.CELERY_BROKER_TRANSPORT_OPTIONS.get('global_keyprefix'), "
        "'email': s.EMAIL_BACKEND, 'site_url': s.SITE_URL}))"
    )
    unset = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CACHE_KEY_PREFIX", "SITE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {key: value for key, value in os.environ.items() if key not in unset and "EMAIL" not in key}
    environment.update(env)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_in_development_each_checkout_has_its_own_names_in_redis_and_production_fixed_ones():
    own = f"factcheck-{quickstart.checkout_id(ROOT)}"
    assert settings_of(DEBUG="1") == {
        "prefix": own,
        "broker_prefix": f"{own}:",
        "email": "factcheck.mail.LoggingEmailBackend",
        "site_url": "http://127.0.0.1:8000",
    }
    production = settings_of(DEBUG="0", SECRET_KEY="k" * 50, ALLOWED_HOSTS="claims.example.org")
    assert (production["prefix"], production["broker_prefix"]) == ("factcheck", None)
    assert production["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert settings_of(DEBUG="1", CACHE_KEY_PREFIX="shared")["prefix"] == "shared"


def test_two_checkouts_never_share_a_name():
    names = {quickstart.checkout_id(Path(f"/home/dev/factcheck-{n}")) for n in range(200)}
    assert len(names) == 200
    assert quickstart.checkout_id(ROOT) == quickstart.checkout_id(Path(str(ROOT)))


# --- the hints printed ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_printed_password_hint_is_a_command_that_works():
    out = StringIO()
    call_command("create_editor", "reviewer", "--email", "reviewer@example.org", "--chief", stdout=out)
    printed = out.getvalue()
    password = printed.split("with password: ")[1].split()[0]
    assert User.objects.get(username="reviewer").check_password(password)
    assert User.objects.get(username="reviewer").groups.filter(name="Chief editors").exists()
    hint = printed.split("Change it with: ")[1].rstrip(")\n")
    command = shlex.split(hint)
    assert command[0] != "python" and command[-2:] == ["changepassword", "reviewer"]
    result = subprocess.run(
        [*command, "--help"], cwd=Path.cwd(), env={**os.environ, "DEBUG": "1"}, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout and "changepassword" in result.stdout

    again = StringIO()
    call_command("create_editor", "reviewer", "--chief", stdout=again)
    assert password not in again.getvalue() and "not shown again" in again.getvalue()


# --- emails in development ---------------------------------------------------------------


@pytest.mark.django_db
def test_in_development_a_reminder_email_is_one_info_record_of_the_log(settings, make_claim, elena, caplog):
    settings.EMAIL_BACKEND = "factcheck.mail.LoggingEmailBackend"
    claim = make_claim(assignee=elena, deadline_end=timezone.localdate())
    with caplog.at_level(logging.INFO):
        result = sweep()
    assert result.sent == 1
    emails = [record for record in caplog.records if record.name == "factcheck.mail"]
    assert len(emails) == 1
    assert emails[0].levelno == logging.INFO
    text = emails[0].getMessage()
    assert "To: elena@newsroom.example" in text
    assert "Subject: Claim deadlines: 1 due today" in text
    assert f"{settings.SITE_URL}/admin/claims/claim/{claim.pk}/change/" in text
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert mail.outbox == [], "logged, not sent"


# --- favicon ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_favicon_ico_is_the_sites_icon_not_a_404(client, caplog):
    response = client.get("/favicon.ico", HTTP_HOST="127.0.0.1")
    assert response.status_code == 302
    assert response["Location"] == static("public/favicon.svg") == "/static/public/favicon.svg"
    assert "max-age=86400" in response["Cache-Control"]
    # WhiteNoise serves the file (the browser test of the API reference loads it through a live server).
    assert b"<svg" in Path(finders.find("public/favicon.svg")).read_bytes()
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]

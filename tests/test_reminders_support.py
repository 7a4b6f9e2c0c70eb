"""Real services for the reminder tests: an SMTP server, a private Redis, Celery processes.

Named test_reminders_* to sit with the reminder tests; it holds fixtures and helpers
only. Everything binds 127.0.0.1 on a free port. The shared Redis on 6379 is never
stopped or flushed: fault tests start their own redis-server and stop only that one.
"""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from factcheck.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent
ADMIN_LINK = re.compile(r"/admin/claims/claim/(\d+)/change/")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def dies_with_us(command: list[str]) -> list[str]:
    """Have a server we start die with the test run, even when pytest itself is killed (a CI timeout).

    A stray worker would go on sweeping the test database and hold connections to it.
    """
    return ["setpriv", "--pdeathsig", "KILL", *command] if shutil.which("setpriv") else command


def wait_until(condition, *, timeout: float, what: str, interval: float = 0.1):
    """Poll until condition() is truthy (a subprocess finishing its work), failing with `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what}.")


class SmtpHandler:
    """Keeps every accepted message; refuses the next `refuse` DATA commands with a temporary error."""

    def __init__(self):
        self.messages: list[Message] = []
        self.refuse = 0
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.refuse:
            self.refuse -= 1
            self.refused += 1
            return "451 4.3.0 Mailbox busy, try again later"
        message = message_from_bytes(envelope.original_content)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self):
        self.handler = SmtpHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[Message]:
        return self.handler.messages

    def settings(self) -> dict:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
        }


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.controller.start()
    yield server
    server.controller.stop()


@pytest.fixture
def smtp(smtp_server, settings):
    """The SMTP server, with this process's email settings pointing at it."""
    for name, value in smtp_server.settings().items():
        setattr(settings, name, value)
    return smtp_server


class RedisServer:
    """A redis-server of our own, so a test can stop and restart it without touching the shared one."""

    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = tmp_path / f"redis-{self.port}.log"
        self.process = None

    def start(self):
        command = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            dies_with_us([*command, "--logfile", str(self.log)]), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_until(self.answers, timeout=10, what=f"redis-server on port {self.port}")

    def answers(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
        return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def private_redis(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@contextlib.contextmanager
def celery_broker(url: str):
    """Point this process's Celery app (the producer behind enqueue_sweep) at another broker."""
    previous = celery_app.conf.broker_url

    def reset_pools():
        # Celery caches its connection and producer pools per app; drop them so the next
        # publish connects to the broker now configured. (Celery's own after-fork reset.)
        celery_app._after_fork()

    celery_app.conf.broker_url = url
    reset_pools()
    try:
        yield
    finally:
        celery_app.conf.broker_url = previous
        reset_pools()


def database_url() -> str:
    """The URL of the database this test runs on (pytest-django's test database)."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("Runs a worker process on the test database: needs PostgreSQL (DATABASE_URL=postgres://...).")


def process_env(*, redis_url: str, smtp_port: int, **extra) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("EMAIL_", "CELERY_"))}
    env.update(
        {
            "DEBUG": "1",
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_url,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "TIME_ZONE": settings.TIME_ZONE,
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "INFO",
        }
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


class CeleryProcess:
    """`celery -A factcheck worker|beat` as a real subprocess, with its log kept for waiting on."""

    def __init__(self, role: str, env: dict, tmp_path: Path, *args: str):
        self.log_path = tmp_path / f"celery-{role}-{time.monotonic_ns()}.log"
        self.log = self.log_path.open("wb")
        command = [str(Path(sys.executable).with_name("celery")), "-A", "factcheck", role, "--loglevel=INFO", *args]
        # A session of its own, so that SIGKILL reaches the pool's children too.
        self.process = subprocess.Popen(
            dies_with_us(command), cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def count(self, text: str) -> int:
        return self.output().count(text)

    def wait_for(self, text: str, *, times: int = 1, timeout: float = 30):
        def seen():
            if self.process.poll() is not None:
                raise AssertionError(f"celery exited with {self.process.returncode}:\n{self.output()[-3000:]}")
            return self.count(text) >= times

        try:
            wait_until(seen, timeout=timeout, what=f"{text!r} x{times} in the celery log")
        except AssertionError as error:
            raise AssertionError(f"{error}\n--- celery log ---\n{self.output()[-3000:]}") from None

    def kill(self):
        """SIGKILL the whole process group: no cleanup, no acknowledgement, like a lost machine."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


TASK_DONE = "Task claims.tasks.sweep_deadlines["
SUCCEEDED = "succeeded in"


@pytest.fixture
def celery_processes(tmp_path):
    """Start worker/beat processes with start(role, env, *args); all are stopped at the end."""
    started = []

    def start(role: str, env: dict, *args: str) -> CeleryProcess:
        process = CeleryProcess(role, env, tmp_path, *args)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


WORKER_ARGS = ("--without-mingle", "--without-gossip", "--without-heartbeat")


def change_form(claim, **overrides) -> dict:
    """The claim's change form as posted, without the read-only reminders inline's management form."""
    data = {
        "statement": claim.statement, "quote": claim.quote, "claimant": claim.claimant_id, "source": claim.source_id,
        "slug": claim.slug, "deadline_text": claim.deadline_text, "deadline_start": claim.deadline_start or "",
        "deadline_end": claim.deadline_end or "", "deadline_precision": claim.deadline_precision,
        "target_quantity": "", "target_comparator": "", "target_value": "", "target_unit": "", "actual_value": "",
        "status": claim.status, "verdict": claim.verdict, "notes": claim.notes, "assignee": claim.assignee_id or "",
        "change_reason": "", "opened_version": claim.version,
    }  # fmt: skip
    for prefix in ("updates", "appearances"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
    data.update(overrides)
    return data


def reminded_claim_ids(messages: list[Message]) -> list[int]:
    """Claim ids listed in the plain-text part of each digest, one entry per item (duplicates kept)."""
    ids = []
    for message in messages:
        text = next(part for part in message.walk() if part.get_content_type() == "text/plain")
        ids += [int(pk) for pk in ADMIN_LINK.findall(text.get_payload(decode=True).decode())]
    return ids

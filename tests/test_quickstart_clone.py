"""A newcomer's first ten minutes: `make run` from a clean clone, on a port of their choosing, with no Redis.

The repository is cloned (so this tests the last commit, as a newcomer gets it) and the
clone borrows this run's virtualenv, so nothing is installed. `PORT=8123 make run`
then runs as from a newcomer's shell: no settings of this run, a machine where nothing
answers on 127.0.0.1:6379, an SQLite file. The test reads what a reader and an editor
would (API, feed, calendar, sitemap, robots.txt, ClaimReview, the reminder email in the
log) for absolute links, checks that manage.py works with no variables afterwards, and
stops it all with Ctrl+C's signal.
"""

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.test_quickstart_support import ROOT, clean_env, processes_in, stop_processes_in, without_redis
from tests.test_reminders_support import wait_until

pytestmark = pytest.mark.services

PORT = 8123
SITE = f"http://127.0.0.1:{PORT}"
URL = re.compile(r"https?://[^\s\"'<>\\]+")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]"}


def fetch(path: str) -> str:
    with urllib.request.urlopen(SITE + path, timeout=10) as response:  # noqa: S310 - our own server
        assert response.status == 200, path
        return response.read().decode()


def local_links(text: str) -> list[str]:
    """Absolute links to this machine in ``text`` (iCalendar lines unfolded first)."""
    text = text.replace("\r\n ", "")
    return [url for url in URL.findall(text) if url.split("/")[2].rsplit(":", 1)[0] in LOCAL_HOSTS]


def sitemap_ready() -> bool:
    try:
        fetch("/sitemap.xml")
        return True
    except urllib.error.HTTPError as error:
        if error.code != 503:
            raise
        return False


def answers() -> bool:
    try:
        return fetch("/healthz") == "ok"
    except OSError:
        return False


@pytest.fixture
def clone(tmp_path):
    if not (shutil.which("git") and shutil.which("make")):
        pytest.skip("needs git and make")
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            pytest.fail(f"port {PORT} is taken: this test serves the quick start on it")
    folder = tmp_path / "factcheck"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(folder)], check=True, timeout=60)
    # This run's virtualenv stands in for the one `make run` would install.
    (folder / ".venv").symlink_to(Path(sys.prefix))
    yield folder
    stop_processes_in(folder)


def test_make_run_from_a_clean_clone_on_port_8123(clone, tmp_path):
    env = without_redis(
        clean_env(PORT=PORT, DATABASE_URL=f"sqlite:///{tmp_path / 'factcheck.sqlite3'}"), tmp_path / "no-redis"
    )
    log_path = tmp_path / "make-run.log"
    with log_path.open("wb") as log:
        # -o: the borrowed virtualenv counts as installed (the clone's requirements files are newer than it).
        make = subprocess.Popen(
            ["make", "-o", ".venv/.installed", "run"], cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # a process group of its own, as a terminal's foreground job
        )  # fmt: skip

        def output() -> str:
            return log_path.read_text(errors="replace")

        def up() -> bool:
            if make.poll() is not None:
                raise AssertionError(f"make run exited with {make.returncode}:\n{output()[-4000:]}")
            return answers()

        try:
            wait_until(up, timeout=75, what=f"the site on port {PORT}", interval=0.5)
            printed = output()
            assert "No Redis on 127.0.0.1:6379: Celery's queue and the cache are files in .run/" in printed
            passwords = re.findall(r"Created editor account '(editor|reviewer)' with password: (\S+)", printed)
            assert [user for user, _ in passwords] == ["editor", "reviewer"]
            assert f"Workbench: {SITE}/admin/" in printed

            # The worker builds the sitemaps once it has started (503 until then), after the demo's other jobs.
            wait_until(sitemap_ready, timeout=60, what="the sitemaps built by the worker", interval=0.5)

            # Every absolute link names the port served on.
            api = json.loads(fetch("/api/claims/"))
            documents = {
                "API list": json.dumps(api),
                "API claim": fetch(f"/api/claims/{api['results'][0]['slug']}/"),
                "feed": fetch("/claims/feed/"),
                "calendar": fetch("/claims/deadlines.ics"),
                "sitemap": fetch("/sitemap.xml"),
                "robots.txt": fetch("/robots.txt"),
            }
            for section in local_links(documents["sitemap"]):
                documents[f"sitemap {section}"] = fetch(urlsplit(section).path)
            claim_reviews = []
            for claim in api["results"]:
                page = fetch(f"/claims/{claim['slug']}/")
                claim_reviews += re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
            assert any('"ClaimReview"' in markup for markup in claim_reviews)
            documents["ClaimReview"] = "\n".join(claim_reviews)
            wait_until(lambda: "Subject: Claim deadlines" in output(), timeout=30, what="the demo digest in the log")
            email = output().split("Email not sent (development")[1].split("Reminder sweep:")[0]
            documents["reminder email"] = email
            for name, text in documents.items():
                links = local_links(text)
                assert links, f"{name} has no absolute link to this site"
                wrong = [url for url in links if url != SITE and not url.startswith(f"{SITE}/")]
                assert not wrong, f"{name} links to another port: {wrong[:3]}"

            reference = fetch("/api/docs/")
            assert "swagger-ui-bundle.js" in reference and not [
                url for url in URL.findall(reference) if url.split("/")[2].rsplit(":", 1)[0] not in LOCAL_HOSTS
            ], "the API reference loads nothing from elsewhere"
            assert fetch("/favicon.ico").startswith("<svg"), "redirected to the site's icon"

            # The checkout's .env makes manage.py work with no variables, as the printed hint says.
            assert (clone / ".env").stat().st_mode & 0o777 == 0o600
            assert f"SITE_URL={SITE}\n" in (clone / ".env").read_text()
            hint = re.search(r"Change it with: (.*)\)", printed).group(1)
            assert hint == ".venv/bin/python manage.py changepassword editor"
            for command in (".venv/bin/python manage.py changepassword --help", hint + " --help"):
                result = subprocess.run(
                    shlex.split(command), cwd=clone, env=clean_env(), capture_output=True, text=True, timeout=60
                )
                assert result.returncode == 0, result.stderr
                assert "usage:" in result.stdout
            status = subprocess.run(["git", "status", "--porcelain"], cwd=clone, capture_output=True, text=True)
            # .env, .run/ and the database are ignored (.venv shows only because it is a symlink here).
            assert status.stdout.splitlines() == ["?? .venv"]
        finally:
            # Ctrl+C: the terminal signals the whole foreground job.
            if make.poll() is None:
                os.killpg(make.pid, signal.SIGINT)
            try:
                make.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(make.pid, signal.SIGKILL)
                make.wait(timeout=10)

    printed = output()
    assert "SIGINT received" in printed
    assert "make: ***" not in printed, printed[-2000:]
    # GNU make ends either with 0 or as any program stopped by Ctrl+C does, by the same signal
    # (a shell shows status 130), depending on whether the signal reached it before its child
    # ended; either way the recipe itself ended well, or make would have printed its error.
    assert make.returncode in (0, -signal.SIGINT)
    assert not processes_in(clone), "web, worker and beat stopped with it"

"""Helpers for the quick-start tests: a machine without Redis, and processes we start and must stop.

Named test_quickstart_* to sit with those tests; it holds helpers only. The machine's own
Redis on 6379 is used by everyone and is never stopped: a process that is to find no
Redis gets a ``sitecustomize`` module (on PYTHONPATH, which the processes it starts
inherit) that refuses every connection to port 6379 of this machine, as the kernel does
when nothing listens there.
"""

import os
import signal
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_NO_REDIS = '''"""Written by tests/test_quickstart_support.py: as far as this process can tell, no Redis runs here."""
import errno
import socket

_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex


def _is_redis(address):
    return isinstance(address, tuple) and len(address) >= 2 and address[1] == 6379 and (
        address[0] in ("127.0.0.1", "localhost", "::1", "0.0.0.0")
    )


def connect(self, address):
    if _is_redis(address):
        raise ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused (no Redis on this machine)")
    return _connect(self, address)


def connect_ex(self, address):
    return errno.ECONNREFUSED if _is_redis(address) else _connect_ex(self, address)


socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
'''


def without_redis(env: dict, folder: Path) -> dict:
    """``env`` for Python processes that find nothing on 127.0.0.1:6379 (nor do their children)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(_NO_REDIS)
    env = dict(env)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(folder), env.get("PYTHONPATH", "")]))
    return env


def clean_env(**extra) -> dict:
    """The environment of a newcomer's shell: none of this test run's settings, nor pytest's marker."""
    kept = {"PATH", "HOME", "LANG", "LC_ALL", "TERM", "TMPDIR", "USER"}
    env = {key: value for key, value in os.environ.items() if key in kept}
    env.update({key: str(value) for key, value in extra.items()})
    return env


def processes_in(folder: Path) -> list[int]:
    """Ids of the live processes whose working directory is ``folder`` or under it (ours, started there)."""
    found = []
    folder = folder.resolve()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cwd = (entry / "cwd").resolve(strict=True)
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and (cwd == folder or folder in cwd.parents):
            found.append(int(entry.name))
    return found


def stop_processes_in(folder: Path, *, timeout: float = 10) -> list[int]:
    """End what is still running in ``folder`` (SIGTERM, then SIGKILL), each by its id; returns the ids found."""
    found = processes_in(folder)
    for pid in found:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    while processes_in(folder) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in processes_in(folder):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return found

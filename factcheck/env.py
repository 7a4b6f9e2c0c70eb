"""Read settings from environment variables, failing loudly on bad values.

Every helper raises ImproperlyConfigured naming the variable and the value it could
not read, so that a typo in a deployment stops start-up with a message an operator can
act on instead of a stack trace deep inside a database driver. Secrets may also be
given as ``NAME_FILE`` (a path whose content is the value), as container platforms do.

Development machines may also keep values in a file (``.env``, written by ``make run``):
``read_env_file`` puts them in the environment before settings read it, without ever
replacing a variable that is set.
"""

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}

# The database engines factcheck supports; anything else is a mistake, not a choice.
_DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql", "psql"}
_EMAIL_SCHEMES = {"smtp", "smtps", "smtp+tls", "smtp+ssl", "consolemail", "filemail", "memorymail", "dummymail"}


def read_env_file(path: Path) -> bool:
    """Fill the variables that are not set from ``path`` (``NAME=value`` lines); True if it was read.

    The file holds a checkout's development values (``make run`` writes DEBUG=1, a
    generated SECRET_KEY and the SITE_URL of its port), so that ``manage.py`` works there
    with no variables set. A variable set in the environment always wins. It is not read:

    - when the environment turns DEBUG off: a production process takes no key or address
      from a file that happens to lie in its directory;
    - under pytest (which sets PYTEST_VERSION for its run, and so for the processes tests
      start): the suite must pass or fail the same in a developer's checkout, whatever its
      file says, as in CI's clean clone.
    """
    debug = os.environ.get("DEBUG")
    if "PYTEST_VERSION" in os.environ or (debug is not None and debug.strip().lower() in _FALSE):
        return False
    if not path.is_file():
        return False
    environ.Env.read_env(path, overwrite=False)
    return True


def without_password(value: str) -> str:
    """The value with any URL password replaced, so that it can be shown in errors and logs."""
    try:
        parts = urlsplit(value)
        if parts.password:
            netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
            return urlunsplit(parts._replace(netloc=netloc))
    except ValueError:
        pass
    return value


def _bad(name: str, value: str, expected: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(
        f"Environment variable {name}={without_password(value)!r} is not valid: expected {expected}."
    )


def env_str(name: str, default: str | None = None, *, allow_file: bool = False) -> str | None:
    if allow_file and (path := os.environ.get(f"{name}_FILE")):
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"Environment variable {name}_FILE={path!r} cannot be read: {exc}.") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise _bad(name, raw, "one of 1/0, true/false, yes/no, on/off")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _bad(name, raw, "a whole number") from None
    if minimum is not None and value < minimum:
        raise _bad(name, raw, f"a whole number of at least {minimum}")
    if maximum is not None and value > maximum:
        raise _bad(name, raw, f"a whole number of at most {maximum}")
    return value


def env_int_list(name: str, default: list[int], *, minimum: int = 0, maximum: int | None = None) -> list[int]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    try:
        values = [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        raise _bad(name, raw, "comma-separated whole numbers, e.g. 30,7") from None
    if any(value < minimum for value in values):
        raise _bad(name, raw, f"comma-separated whole numbers of at least {minimum}")
    if maximum is not None and any(value > maximum for value in values):
        raise _bad(name, raw, f"comma-separated whole numbers of at most {maximum}")
    return sorted(set(values), reverse=True)


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_url(name: str, default: str, *, schemes: set[str]) -> str:
    raw = os.environ.get(name, default)
    parts = urlsplit(raw)
    if parts.scheme not in schemes or not (parts.netloc or parts.path):
        raise _bad(name, raw, f"a URL starting with one of {', '.join(sorted(s + '://' for s in schemes))}")
    return raw


def env_database(name: str, default: str) -> dict:
    raw = env_str(name, default, allow_file=True)
    scheme = urlsplit(raw).scheme
    if scheme not in _DATABASE_SCHEMES:
        raise _bad(name, raw, "a database URL such as postgres://user@host:5432/name or sqlite:////path/db.sqlite3")
    try:
        config = environ.Env.db_url_config(raw)
    except Exception as exc:  # the parser raises several types; any of them means a bad URL
        raise _bad(name, raw, f"a database URL ({exc})") from exc
    if not config.get("NAME"):
        raise _bad(name, raw, "a database URL that names the database")
    return config


def env_email(name: str, default: str | None) -> dict | None:
    raw = env_str(name, default, allow_file=True)
    if not raw:
        return None
    if urlsplit(raw).scheme not in _EMAIL_SCHEMES:
        raise _bad(name, raw, "an email URL such as smtp://user:password@mail.example.org:587 or consolemail://")
    try:
        return environ.Env.email_url_config(raw)
    except Exception as exc:
        raise _bad(name, raw, f"an email URL ({exc})") from exc


def env_time_zone(name: str, default: str) -> str:
    raw = os.environ.get(name, default)
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise _bad(name, raw, "an IANA time zone name such as Europe/Paris") from None
    return raw


def env_choice(name: str, default: str, *, choices: tuple[str, ...]) -> str:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value not in choices:
        raise _bad(name, raw, f"one of {', '.join(choices)}")
    return value


def env_networks(name: str, default: list[str]) -> list[str]:
    """Comma-separated IP addresses or networks (``10.0.0.1``, ``10.0.0.0/8``, ``::1``), normalised."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    networks = []
    for part in raw.split(","):
        if not part.strip():
            continue
        try:
            networks.append(str(ipaddress.ip_network(part.strip(), strict=False)))
        except ValueError:
            raise _bad(name, raw, "comma-separated IP addresses or networks, e.g. 10.0.0.1,192.168.0.0/16") from None
    return networks

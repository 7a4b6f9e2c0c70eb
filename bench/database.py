"""The benchmark databases: create, migrate and fill one per size, reuse it while it still fits.

A filled database carries a comment ("factcheck bench: claims=N generator=V"); a later run
with the same size and generator reuses it (after `migrate`, in case migrations were
added), so the million-claim database is generated once, not on every run.
"""

import subprocess
import time

import psycopg
from psycopg import sql

from bench import config
from bench.generate import GENERATOR_VERSION


def _marker(claims: int) -> str:
    return f"factcheck bench: claims={claims} generator={GENERATOR_VERSION}"


def _server():
    return psycopg.connect(f"{config.POSTGRES_SERVER_URL}/postgres", autocommit=True, connect_timeout=5)


def _comment(name: str) -> str | None:
    """None when the database does not exist, else its comment ("" when it has none)."""
    with _server() as connection:
        row = connection.execute(
            "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
    return None if row is None else row[0]


def run_step(module: str, args: list[str], *, env: dict, timeout: float, log, capture: bool = False) -> str:
    """Run `python -m bench.<module>` (or manage.py) with a time limit and return its output.

    Its stderr is logged; so is its stdout, unless `capture` (the step prints JSON for the harness).
    """
    command = [config.PYTHON, *(["manage.py"] if module == "manage" else ["-m", f"bench.{module}"]), *args]
    try:
        done = subprocess.run(
            command, cwd=config.PROJECT_DIR, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"{' '.join(command[1:])} did not finish within {timeout:.0f} s") from exc
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[1:])} failed:\n{done.stdout}\n{done.stderr}")
    for line in done.stderr.splitlines() + ([] if capture else done.stdout.splitlines()):
        log(line)
    return done.stdout


def prepare(claims: int, *, regenerate: bool, log) -> str:
    """Return the URL of a migrated database holding `claims` generated claims."""
    name = config.database_name(claims)
    url = config.database_url(claims)
    env = config.child_env(url)
    comment = _comment(name)
    if comment == _marker(claims) and not regenerate:
        log(f"Reusing {name} ({comment}).")
        run_step("manage", ["migrate", "--noinput", "-v0"], env=env, timeout=600, log=log)
        return url

    started = time.monotonic()
    log(f"Creating {name} for {claims:,} claims.")
    with _server() as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    run_step("manage", ["migrate", "--noinput", "-v0"], env=env, timeout=600, log=log)
    # About 3 minutes per million claims when the machine is quiet; generous for a busy one.
    run_step("generate", ["--claims", str(claims)], env=env, timeout=600 + claims / 250, log=log)
    with _server() as connection:
        connection.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(_marker(claims)))
        )
    log(f"{name} ready in {time.monotonic() - started:.0f} s.")
    return url


def describe(claims: int) -> str:
    """One line about the data: sizes, and the spread of statuses and publication."""
    with psycopg.connect(config.database_url(claims)) as connection:
        count = {
            table: connection.execute(f"SELECT count(*) FROM claims_{table}").fetchone()[0]
            for table in ("claim", "claimant", "source", "update", "appearance")
        }
        history = sum(
            connection.execute(f"SELECT count(*) FROM claims_historical{table}").fetchone()[0]
            for table in ("claim", "claimant", "source", "update", "appearance")
        )
        statuses = connection.execute(
            "SELECT status, count(*) FROM claims_claim GROUP BY status ORDER BY count(*) DESC"
        ).fetchall()
        published, dated, open_dated = connection.execute(
            "SELECT count(*) FILTER (WHERE published_at IS NOT NULL), count(*) FILTER (WHERE deadline_end IS NOT NULL),"
            " count(*) FILTER (WHERE deadline_end IS NOT NULL AND status IN ('pending', 'in_progress', 'stalled'))"
            " FROM claims_claim"
        ).fetchone()
    total = count["claim"] or 1
    spread = ", ".join(f"{status} {n / total:.0%}" for status, n in statuses)
    return (
        f"{count['claim']:,} claims by {count['claimant']:,} claimants from {count['source']:,} sources, "
        f"{count['update']:,} timeline updates, {count['appearance']:,} further appearances, {history:,} history rows; "
        f"{published / total:.0%} published, {dated / total:.0%} with a dated deadline "
        f"({open_dated:,} open with a date); statuses: {spread}"
    )

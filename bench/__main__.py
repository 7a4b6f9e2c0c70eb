"""`make bench` / `python -m bench --claims N`: generate, measure, report.

Steps: a database with N claims (generated once, then reused), the web benchmark
(uncached, cached, admin), the abuse round (a reader under attack), the reminder sweep
at N and at 10,000, intake speed, bulk import of 10,000 rows; then the table is printed, written to
docs/benchmarks.md, and the last line is
`worst uncached ratio=X worst cached ratio=Y sweep ratio=Z abuse p99=W ms`.

A part of the project that does not exist yet (an endpoint, the sweep, intake) is
reported "not available yet"; a step that fails is reported with its error. Neither
stops the run.
"""

import argparse
import datetime
import importlib.metadata
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import redis

from bench import abuse, config, database, profiling, report, web

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
STEPS = ("web", "abuse", "sweep", "intake")


def _claims(value: str) -> int:
    value = value.strip().lower().replace("_", "").replace(",", "")
    claims = SIZES.get(value) or int(value)
    if claims < 1000:
        raise argparse.ArgumentTypeError("at least 1000 claims")
    return claims


def parse(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=_claims, default=10_000, help="10000 (default), 100000, 1000000, or 10k/1m")
    parser.add_argument("--regenerate", action="store_true", help="build the database again even if it fits")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2, one per core)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (default 4)")
    parser.add_argument("--rounds", type=int, default=8, help="rounds per endpoint, each after one on the ceiling")
    parser.add_argument("--seconds", type=int, default=1, help="wrk seconds per endpoint and round (default 1)")
    parser.add_argument("--ceiling-seconds", type=int, default=1, help="wrk seconds on /healthz per round (default 1)")
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument(
        "--only",
        choices=STEPS,
        action="append",
        help="run only this step (repeatable), to look into one result; implies --no-docs",
    )
    return parser.parse_args(argv)


def log(line: str = "") -> None:
    print(line, flush=True)


def preflight() -> None:
    problems = []
    if not Path(web.WRK).exists():
        problems.append(f"wrk is not installed at {web.WRK} (Debian: apt-get install wrk; `make bench` does it).")
    try:
        psycopg.connect(f"{config.POSTGRES_SERVER_URL}/postgres", connect_timeout=5).close()
    except psycopg.Error as exc:
        problems.append(f"PostgreSQL cannot be reached at {config.POSTGRES_SERVER_URL} (BENCH_POSTGRES_URL): {exc}")
    try:
        redis.Redis.from_url(config.REDIS_URL, socket_timeout=5).ping()
    except (redis.RedisError, OSError) as exc:
        problems.append(f"Redis cannot be reached at {config.REDIS_URL} (BENCH_REDIS_URL): {exc}")
    if problems:
        sys.exit("Cannot run the benchmark:\n- " + "\n- ".join(problems))


def machine_info() -> dict:
    info = report.machine()
    with psycopg.connect(f"{config.POSTGRES_SERVER_URL}/postgres") as connection:
        info["postgres"] = "PostgreSQL " + connection.execute("SHOW server_version").fetchone()[0].split()[0]
    info["redis"] = "Redis " + redis.Redis.from_url(config.REDIS_URL).info("server")["redis_version"]
    info["packages"] = ", ".join(
        f"{name} {importlib.metadata.version(name)}" for name in ("Django", "gunicorn", "psycopg")
    )
    version = subprocess.run([web.WRK, "--version"], capture_output=True, text=True).stdout.split("[")[0]
    info["wrk"] = version.strip()
    return info


def command_text(argv) -> str:
    """The command as typed, in Markdown: `make bench CLAIMS=N` (runs `python -m bench ...`) under make."""
    python = f"`{' '.join(['python -m bench', *argv])}`"
    if os.environ.get("MAKELEVEL"):
        claims = next((argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg == "--claims"), None)
        return f"`make bench{f' CLAIMS={claims}' if claims else ''}` (runs {python})"
    return python


def json_step(module: str, url: str, *, timeout: float, **env) -> dict:
    """A child step that prints JSON; a failure becomes {"available": False, "note": "error: ..."}."""
    try:
        out = database.run_step(module, [], env=config.child_env(url, **env), timeout=timeout, log=log, capture=True)
        return json.loads(out.strip().splitlines()[-1])
    except (RuntimeError, ValueError, IndexError) as exc:
        first = str(exc).strip().splitlines()
        log(f"  {module} failed: {exc}")
        return {"available": False, "note": f"error: {first[0] if first else exc}"}


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    steps = set(args.only or STEPS)
    if args.only:
        args.no_docs = True  # a partial run would leave holes in the table of record
    preflight()
    started_at, started = datetime.datetime.now(datetime.UTC), time.monotonic()
    plan = web.Plan(
        workers=args.workers,
        connections=args.connections,
        seconds=args.seconds,
        ceiling_seconds=args.ceiling_seconds,
        rounds=args.rounds,
        log_dir=config.PROJECT_DIR / "artifacts" / "bench",
    )
    run = report.Run(
        claims=args.claims,
        command=command_text(argv),
        started=started_at,
        machine=machine_info(),
        setup=(
            f"gunicorn {plan.workers} sync workers, DEBUG=0, PostgreSQL and Redis on 127.0.0.1; wrk 1 thread, "
            f"{plan.connections} connections; per endpoint {plan.rounds} rounds of {plan.ceiling_seconds:g} s on "
            f"/healthz (the ceiling) then {plan.seconds:g} s on the endpoint; ratio = median of the rounds' ratios, "
            f"p99 = the worst round's; "
            f"uncached = PUBLIC_CACHE_SECONDS=0"
        ),
    )
    log(f"Benchmark at N = {args.claims:,} claims, {started_at:%Y-%m-%d %H:%M} UTC")

    url = database.prepare(args.claims, regenerate=args.regenerate, log=log)
    run.data = database.describe(args.claims)
    env = config.child_env(url)
    database.run_step("manage", ["collectstatic", "--noinput", "-v0"], env=env, timeout=600, log=log)

    targets = json.loads(database.run_step("targets", [], env=env, timeout=300, log=log, capture=True))
    if "web" in steps:
        log("Web:")
        try:
            run.web = web.run(targets["endpoints"], targets["cookie"], url, plan, log=log)
        except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
            log(f"  web benchmark failed: {exc}")

    if "abuse" in steps:
        log("Abuse:")
        try:
            run.abuse = abuse.run(targets["endpoints"], url, plan, log=log)
        except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
            log(f"  abuse round failed: {exc}")

    if "sweep" in steps:
        log("Sweep:")
        run.sweep = json_step("sweep", url, timeout=1800)
        if args.claims != run.sweep_baseline_claims and run.sweep.get("available"):
            baseline_url = database.prepare(run.sweep_baseline_claims, regenerate=False, log=log)
            run.sweep_baseline = json_step("sweep", baseline_url, timeout=900)

    if "intake" in steps:
        log("Intake:")
        run.intake = json_step("intake_step", url, timeout=600)
        log(f"  {report._intake_lines(run)[0]}")

    log("Bulk import:")
    run.imports = json_step("import_step", url, timeout=1800)
    log(f"  {report._import_lines(run)[0]}")

    missed = [r for r in run.web if r.load is not None and not all(met for _, met in report.web_checks(r))]
    if missed:
        log("Profiles of the endpoints that miss a target:")
        run.profiles.update(profiling.collect(missed, targets["cookie"], url, log=log))
    if run.sweep and run.sweep.get("profile") and not all(met for _, met in report.sweep_checks(run)):
        run.profiles["sweep_deadlines with 1,000 due (cProfile, cumulative)"] = run.sweep["profile"]

    run.machine["load_end"] = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    run.elapsed = time.monotonic() - started
    log()
    log(report.markdown(run))
    log()
    log("Targets (set for N = 1,000,000):")
    for line in report.targets_summary(run):
        log(f"  {line}")
    if not args.no_docs:
        report.write_docs(run)
        log(f"Written to {report.DOCS.relative_to(config.PROJECT_DIR)}.")
    log(f"Finished in {run.elapsed / 60:.1f} min.")
    print(report.summary_line(run), flush=True)


if __name__ == "__main__":
    main()

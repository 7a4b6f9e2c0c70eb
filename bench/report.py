"""The results: targets, the table printed and written to docs/benchmarks.md, and the summary line.

Each size has its own block in docs/benchmarks.md, between ``<!-- bench:N -->`` markers;
a run replaces the block of its size and leaves the rest of the document (the method,
the findings, other sizes) alone.
"""

import datetime
import platform
import re
from dataclasses import dataclass, field
from pathlib import Path

from bench.abuse import AbuseResult
from bench.web import Result

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
RESULTS_MARKER = "<!-- bench:results -->"

# The targets at N = 1,000,000 (docs/benchmarks.md, "Targets").
UNCACHED_RATIO = {"list": 0.2, "detail": 0.3}
CACHED_RATIO = 0.8
PUBLIC_P99_MS = 100
ADMIN_P99_MS = 300
SWEEP_SECONDS = 1.0
SWEEP_RATIO = 1.5
# The reader's latency during the abuse round (bench.abuse).
ABUSE_P50_MS = 50
ABUSE_P99_MS = 200


@dataclass
class Run:
    claims: int
    command: str
    started: datetime.datetime
    machine: dict
    setup: str
    data: str = ""
    web: list[Result] = field(default_factory=list)
    sweep: dict | None = None
    sweep_baseline: dict | None = None
    intake: dict | None = None
    imports: dict | None = None
    abuse: "AbuseResult | None" = None
    profiles: dict = field(default_factory=dict)
    elapsed: float = 0.0
    sweep_baseline_claims: int = 10_000

    @property
    def machine_text(self) -> str:
        return machine_text(self.machine)

    @property
    def sweep_ratio(self) -> float | None:
        if not self.sweep or not self.sweep.get("available"):
            return None
        if self.claims == self.sweep_baseline_claims:
            return 1.0
        if not self.sweep_baseline or not self.sweep_baseline.get("available"):
            return None
        return self.sweep["seconds"] / self.sweep_baseline["seconds"]


def web_checks(result: Result) -> list[tuple[str, bool]]:
    """(target, met) pairs for one measured endpoint."""
    if result.load is None:
        return []
    if result.kind == "admin":
        return [(f"p99 < {ADMIN_P99_MS} ms", result.load.p99_ms < ADMIN_P99_MS)]
    minimum = UNCACHED_RATIO[result.kind] if result.mode == "uncached" else CACHED_RATIO
    checks = [
        (f"ratio ≥ {minimum}", result.ratio >= minimum),
        (f"p99 < {PUBLIC_P99_MS} ms", result.load.p99_ms < PUBLIC_P99_MS),
    ]
    if result.load.bad_responses:
        checks.append(("no failed responses", False))
    return checks


def sweep_checks(run: Run) -> list[tuple[str, bool]]:
    if not run.sweep or not run.sweep.get("available"):
        return []
    checks = [(f"< {SWEEP_SECONDS:g} s", run.sweep["seconds"] < SWEEP_SECONDS)]
    if run.sweep_ratio is not None:
        checks.append((f"≤ {SWEEP_RATIO} × its time at 10,000", run.sweep_ratio <= SWEEP_RATIO))
    if run.sweep.get("sent") != run.sweep.get("made_due"):
        checks.append(("sends every due reminder", False))
    return checks


def _worst(run: Run, mode: str) -> float | None:
    ratios = [r.ratio for r in run.web if r.mode == mode and r.kind != "admin" and r.ratio is not None]
    return min(ratios) if ratios else None


def _number(value: float | None) -> str:
    """0.2 -> "0.2", 0.234 -> "0.23", 1 -> "1.0"; "n/a" when not measured."""
    if value is None:
        return "n/a"
    text = f"{value:.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def abuse_checks(run: Run) -> list[tuple[str, bool]]:
    if not run.abuse or not run.abuse.readers:
        return []
    return [
        (f"reader p50 < {ABUSE_P50_MS} ms", run.abuse.p50_ms < ABUSE_P50_MS),
        (f"reader p99 < {ABUSE_P99_MS} ms", run.abuse.p99_ms < ABUSE_P99_MS),
    ]


def summary_line(run: Run) -> str:
    abuse_p99 = run.abuse.p99_ms if run.abuse else None
    return (
        f"worst uncached ratio={_number(_worst(run, 'uncached'))} "
        f"worst cached ratio={_number(_worst(run, 'cached'))} "
        f"sweep ratio={_number(run.sweep_ratio)} "
        f"abuse p99={'n/a' if abuse_p99 is None else f'{abuse_p99:.0f} ms'}"
    )


def _verdict(checks: list[tuple[str, bool]]) -> str:
    if not checks:
        return ""
    missed = [name for name, met in checks if not met]
    return "met" if not missed else "**missed**: " + ", ".join(missed)


def markdown(run: Run) -> str:
    lines = [
        f"<!-- bench:{run.claims} -->",
        f"### N = {run.claims:,} claims",
        "",
        f"- Date: {run.started:%Y-%m-%d %H:%M} UTC; the run took {run.elapsed / 60:.1f} min.",
        f"- Command: {run.command}",
        f"- Machine: {run.machine_text}",
        f"- Setup: {run.setup}",
    ]
    if run.data:
        lines.append(f"- Data: {run.data}")
    lines += [
        "",
        "| endpoint | mode | KB | req/s | p50 ms | p99 ms | ceiling req/s | ratio | cold ms | targets |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in run.web:
        if r.load is None:
            lines.append(f"| {r.name} | {r.mode} | | | | | | | | {r.note} |")
            continue
        size = f"{r.extra['bytes'] / 1000:.0f}" if "bytes" in r.extra else ""
        cold = f"{r.cold_ms:.0f}" if r.cold_ms is not None else ""
        ratio = f"{r.ratio:.2f}" if r.kind != "admin" else f"({r.ratio:.2f})"
        verdict = _verdict(web_checks(r)) + (f" ({r.note})" if r.note else "")
        lines.append(
            f"| {r.name} `{r.path}` | {r.mode} | {size} | {r.load.rps:.0f} | {r.load.p50_ms:.1f} | {r.load.p99_ms:.1f} "
            f"| {r.ceiling.rps:.0f} | {ratio} | {cold} | {verdict} |"
        )
    lines += ["", *_abuse_lines(run), "", *_sweep_lines(run), "", *_intake_lines(run), "", *_import_lines(run)]
    for title, text in run.profiles.items():
        lines += ["", f"<details><summary>Profile: {title}</summary>", "", "```", text.rstrip(), "```", "</details>"]
    lines += ["", f"`{summary_line(run)}`", f"<!-- /bench:{run.claims} -->"]
    return "\n".join(lines)


def _abuse_lines(run: Run) -> list[str]:
    abuse = run.abuse
    if not abuse or not abuse.readers:
        return [f"Abuse round: {abuse.note if abuse and abuse.note else 'not measured'}."]
    attacks = "; ".join(
        f"{kind}: " + ", ".join(f"{status} × {n}" for status, n in sorted(counts.items(), key=str))
        for kind, counts in abuse.attacks.items()
    )
    lines = [
        f"Abuse round (a reader under attack: 8 clients guess a password, 20 search, 4 fetch sitemaps with random "
        f"parameters, each from its own address; gunicorn {abuse.workers} sync workers, "
        f"PUBLIC_EXPENSIVE_CONCURRENCY={abuse.concurrency}):",
        "",
        "| reader | p50 ms | p99 ms | requests | targets |",
        "|---|---:|---:|---:|---|",
    ]
    for name, load in abuse.readers.items():
        checks = [(f"p50 < {ABUSE_P50_MS} ms", load.p50_ms < ABUSE_P50_MS)]
        checks.append((f"p99 < {ABUSE_P99_MS} ms", load.p99_ms < ABUSE_P99_MS))
        lines.append(
            f"| {name} `{abuse.paths[name]}` | {load.p50_ms:.1f} | {load.p99_ms:.1f} | {load.requests} "
            f"| {_verdict(checks)} |"
        )
    lines += ["", f"Attackers' answers (HTTP status × count): {attacks}."]
    return lines


def _sweep_lines(run: Run) -> list[str]:
    if not run.sweep or not run.sweep.get("available"):
        note = (run.sweep or {}).get("note", "not measured")
        return [f"Sweep: {note}."]
    lines = [
        "| sweep | claims | reminder rows | made due | sent | digests | time (median of runs) | runs | targets |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for label, sweep in (("at N", run.sweep), ("at 10,000", run.sweep_baseline)):
        if not sweep or not sweep.get("available") or (label != "at N" and run.claims == run.sweep_baseline_claims):
            continue
        runs = ", ".join(f"{seconds * 1000:.0f}" for seconds in sweep["runs"])
        verdict = _verdict(sweep_checks(run)) if label == "at N" else ""
        lines.append(
            f"| {label} | {sweep['claims']:,} | {sweep['reminder_rows']:,} | {sweep['made_due']:,} | {sweep['sent']:,} "
            f"| {sweep['digests']} | {sweep['seconds'] * 1000:.0f} ms | {runs} ms | {verdict} |"
        )
    lines += ["", f"Sweep ratio (time at N / time at 10,000, same run): {_number(run.sweep_ratio)}."]
    for title, plan in run.sweep.get("plans", {}).items():
        lines += ["", f"<details><summary>EXPLAIN (ANALYZE, BUFFERS): {title}</summary>", "", "```"]
        lines += [_shorten_arrays(plan).rstrip(), "```", "</details>"]
    return lines


def _shorten_arrays(plan: str) -> str:
    """Long literal date arrays (hundreds of deadlines) make a plan unreadable; keep their ends."""

    def shorten(match):
        items = match.group(1).split(",")
        if len(items) <= 6:
            return match.group(0)
        return "'{" + ",".join(items[:3]) + f",... {len(items) - 6} more ...," + ",".join(items[-3:]) + "}'"

    return re.sub(r"'\{([^}]*)\}'", shorten, plan)


def _intake_lines(run: Run) -> list[str]:
    intake = run.intake or {}
    if not intake.get("available"):
        return [f"Intake: {intake.get('note', 'not measured')}."]
    return [f"Intake: {intake['seconds_per_mb']:.2f} seconds per MB of article text."]


def _import_lines(run: Run) -> list[str]:
    imports = run.imports or {}
    if not imports.get("available"):
        return [f"Bulk import: {imports.get('note', 'not measured')}."]
    return [
        f"Bulk import of {imports['rows']:,} rows (claims.imports, with history): preview "
        f"{imports['preview_seconds_per_1000']:.2f} s, confirm {imports['confirm_seconds_per_1000']:.2f} s "
        "per 1,000 rows."
    ]


def targets_summary(run: Run) -> list[str]:
    """Plain lines for the console: every target, met or missed."""
    lines = []
    for r in run.web:
        for name, met in web_checks(r):
            lines.append(f"{'met   ' if met else 'MISSED'} {r.name} ({r.mode}): {name}")
        if r.load is None:
            lines.append(f"n/a    {r.name} ({r.mode}): {r.note}")
    for name, met in abuse_checks(run):
        lines.append(f"{'met   ' if met else 'MISSED'} abuse round: {name}")
    for name, met in sweep_checks(run):
        lines.append(f"{'met   ' if met else 'MISSED'} sweep with 1,000 due: {name}")
    if run.sweep and not run.sweep.get("available"):
        lines.append(f"n/a    sweep: {run.sweep.get('note')}")
    return lines


def write_docs(run: Run, path: Path = DOCS) -> None:
    block = markdown(run)
    text = path.read_text() if path.exists() else f"# Benchmarks\n\n## Results\n\n{RESULTS_MARKER}\n"
    pattern = re.compile(rf"<!-- bench:{run.claims} -->.*?<!-- /bench:{run.claims} -->", re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    elif RESULTS_MARKER in text:
        text = text.replace(RESULTS_MARKER, f"{RESULTS_MARKER}\n\n{block}", 1)
    else:
        text = text.rstrip() + f"\n\n{block}\n"
    path.write_text(text)


def machine() -> dict:
    info = {"python": platform.python_version(), "cores": _cpu_count()}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        info["cpu"] = re.search(r"model name\s*:\s*(.*)", cpuinfo).group(1).strip()
        meminfo = Path("/proc/meminfo").read_text()
        info["memory_gb"] = round(int(re.search(r"MemTotal:\s*(\d+)", meminfo).group(1)) / 1024 / 1024)
        info["load"] = Path("/proc/loadavg").read_text().split()[0]
    except (OSError, AttributeError):
        pass
    return info


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def machine_text(info: dict) -> str:
    parts = [
        f"{info.get('cpu', 'unknown CPU')}, {info['cores']} cores, {info.get('memory_gb', '?')} GB RAM",
        info.get("postgres", ""),
        info.get("redis", ""),
        f"Python {info['python']}",
        info.get("packages", ""),
        info.get("wrk", ""),
    ]
    text = "; ".join(part for part in parts if part)
    if "load" in info:
        text += f"; load average at start {info['load']}"
        if "load_end" in info:
            text += f", at end {info['load_end']}"
    return text

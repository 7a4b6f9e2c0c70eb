"""The sweep benchmark: one `sweep_deadlines` with 1,000 reminders due, on a register in steady state.

Steady state: every open claim with a deadline holds the reminder rows the reminder
code itself schedules (``claims.reminders.schedule.backfill``, run once per database),
and everything that fell due before now has been sent by earlier sweeps. Then the next
1,000 rows to fall due (one per claim, assigned claims) are made due now, and one
`sweep_deadlines` is timed in-process (its cost, not Python's start-up). The sweep does
its real work and commits: it claims, renders and "sends" the digests (Django's
in-memory mail backend) and marks the rows sent.

Each repetition first puts those rows back as they were (their due time is kept in the
table bench_sweep_due, which exists only in benchmark databases), so runs are
repeatable on a reused database. The query plans of the sweep's main queries are taken
with EXPLAIN (ANALYZE, BUFFERS) while the 1,000 rows are due.

    python -m bench.sweep     (DATABASE_URL names the benchmark database; prints JSON)
"""

import io
import json
import statistics
import time

DUE = 1000
REPEAT = 3
STATE_TABLE = "bench_sweep_due"
CHUNK = 5000
OPEN = ("pending", "in_progress", "stalled")


def _unavailable() -> str | None:
    from django.core.management import get_commands

    if "sweep_deadlines" not in get_commands():
        return "not available yet (no sweep_deadlines command)"
    try:
        from claims.reminders import schedule, sweep  # noqa: F401
    except ImportError as exc:
        return f"not available yet ({exc})"
    return None


def _execute(cursor, sql: str, params=None) -> int:
    cursor.execute(sql, params)
    return cursor.rowcount


def prepare_baseline(*, log) -> dict:
    """Once per database: give every open claim with a deadline its reminder rows, as the reminder code would."""
    from django.db import connection
    from django.utils import timezone

    from claims.models import Reminder

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {STATE_TABLE} (reminder_id bigint PRIMARY KEY, due_at timestamptz NOT NULL)"
        )
    if Reminder.objects.exists():
        return {}
    started = time.monotonic()
    claims, rows = schedule_everything(timezone.localdate())
    with connection.cursor() as cursor:
        # VACUUM also fills the visibility map (index-only scans); it cannot run inside a transaction (tests).
        cursor.execute("ANALYZE claims_reminder" if connection.in_atomic_block else "VACUUM (ANALYZE) claims_reminder")
    seconds = time.monotonic() - started
    log(f"  {rows:,} reminder rows scheduled for {claims:,} open claims in {seconds:.0f} s")
    return {"baseline_claims": claims, "baseline_rows": rows, "baseline_seconds": round(seconds, 1)}


def schedule_everything(today) -> tuple[int, int]:
    """The rows claims.reminders.schedule.backfill(today) writes, built by its own rules, loaded with COPY.

    backfill() builds Reminder objects and inserts them with bulk_create: about 6,000 rows
    a second here, over six minutes for the 2.3 million rows of a million claims. The rows
    come from the same functions (points.points_to_schedule, Recipients.for_claim,
    Reminder.Kind.for_offset); only the insert differs. tests/test_bench.py checks that
    both give the same rows.
    """
    from django.db import connection, transaction
    from django.utils import timezone

    from claims.models import Claim, Reminder
    from claims.reminders import points
    from claims.reminders.schedule import Recipients

    now = timezone.now()
    recipients = Recipients()
    recipients.editors()  # read now: no query may run while a COPY is open
    fields = [field for field in Reminder._meta.concrete_fields if not field.primary_key]
    columns = [field.column for field in fields]
    defaults = {field.column: now if getattr(field, "auto_now_add", False) else field.get_default() for field in fields}
    claims = Claim.objects.open().filter(deadline_end__isnull=False).select_related("assignee").order_by("pk")
    count, last_pk = 0, 0
    with transaction.atomic(), connection.cursor() as cursor:
        # Claims are read a chunk at a time, outside the COPY: one connection cannot do both at once.
        while chunk := list(claims.filter(pk__gt=last_pk)[:CHUNK]):
            last_pk = chunk[-1].pk
            with cursor.copy(f"COPY {Reminder._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
                for claim in chunk:
                    for point in points.points_to_schedule(claim.deadline_end, today):
                        for recipient in recipients.for_claim(claim):
                            row = {
                                **defaults,
                                "claim_id": claim.pk,
                                "kind": Reminder.Kind.for_offset(point.offset_days).value,
                                "offset_days": point.offset_days,
                                "deadline_end": claim.deadline_end,
                                "recipient_id": recipient.pk,
                                "due_at": point.due_at,
                            }
                            copy.write_row([row[column] for column in columns])
                            count += 1
    return claims.count(), count


def reset_and_make_due(count: int = DUE) -> int:
    """Restore the previous run's rows, mark everything already due as sent, make the next `count` rows due."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        _execute(
            cursor,
            f"""
            UPDATE claims_reminder r
               SET due_at = b.due_at, claimed_at = NULL, claim_token = '', sent_at = NULL, skipped_at = NULL,
                   cancelled_at = NULL, attempts = 0, retry_after = NULL, last_error = ''
              FROM {STATE_TABLE} b WHERE r.id = b.reminder_id
            """,
        )
        _execute(cursor, f"DELETE FROM {STATE_TABLE}")
        # Earlier sweeps (which the benchmark stands in for) sent everything due until now.
        _execute(
            cursor,
            """
            UPDATE claims_reminder SET claimed_at = due_at, sent_at = due_at + interval '1 minute', attempts = 1
             WHERE sent_at IS NULL AND skipped_at IS NULL AND cancelled_at IS NULL AND due_at <= now()
            """,
        )
        # The next rows to fall due, one per claim, each for the claim's (reachable) assignee.
        _execute(
            cursor,
            f"""
            INSERT INTO {STATE_TABLE} (reminder_id, due_at)
            SELECT id, due_at FROM (
                SELECT DISTINCT ON (r.claim_id) r.id, r.due_at
                  FROM claims_reminder r
                  JOIN claims_claim c ON c.id = r.claim_id AND c.assignee_id = r.recipient_id
                  JOIN auth_user u ON u.id = r.recipient_id AND u.is_active AND u.email <> ''
                 WHERE r.sent_at IS NULL AND r.skipped_at IS NULL AND r.cancelled_at IS NULL
                   AND r.due_at > now() AND c.status = ANY(%s)
                 ORDER BY r.claim_id, r.due_at, r.id
            ) AS next_points
            ORDER BY due_at, id
            LIMIT %s
            """,
            [list(OPEN), count],
        )
        made_due = _execute(
            cursor,
            f"UPDATE claims_reminder SET due_at = now() - interval '1 minute' "
            f"WHERE id IN (SELECT reminder_id FROM {STATE_TABLE})",
        )
    if not connection.in_atomic_block:
        # As autovacuum keeps a live outbox: without it, the rows just marked sent would
        # linger as dead entries in the sweep's partial index and slow its scan.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) claims_reminder")
    return made_due


def explain() -> dict[str, str]:
    """Plans of the sweep's two queries whose cost could follow the table size."""
    from django.utils import timezone

    from claims.models import Claim
    from claims.reminders import points, schedule, sweep

    now = timezone.now()
    plans = {}
    claimable = getattr(sweep, "_claimable", None)
    if claimable is not None:
        query = claimable(now).order_by("due_at", "id").values_list("pk", flat=True)[: sweep.SWEEP_BATCH]
        plans["claim due rows (claim_due)"] = query.explain(analyze=True, buffers=True)
    unscheduled = getattr(schedule, "_unscheduled", None)
    if unscheduled is not None:
        earliest = Claim.objects.open().order_by("deadline_end").values_list("deadline_end", flat=True).first()
        deadlines = points.deadlines_with_a_point_on(timezone.localdate(now), earliest)
        query = unscheduled().filter(deadline_end__in=deadlines)
        plans[f"claims without rows due today ({len(deadlines)} deadlines)"] = query.explain(analyze=True, buffers=True)
    return plans


def time_one_sweep() -> tuple[float, str]:
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection

    connection.ensure_connection()
    mail.outbox = []
    output = io.StringIO()
    started = time.perf_counter()
    call_command("sweep_deadlines", stdout=output)
    return time.perf_counter() - started, output.getvalue().strip()


def profile_one_sweep() -> str:
    """One more sweep under cProfile, with its SQL: where the time goes when the target is missed."""
    import cProfile

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.profiling import _short, hot_spots

    reset_and_make_due()
    profiler = cProfile.Profile()
    with CaptureQueriesContext(connection) as queries:
        profiler.enable()
        seconds, _ = time_one_sweep()
        profiler.disable()
    sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    lines = [
        f"{seconds * 1000:.0f} ms under cProfile; "
        f"{len(queries.captured_queries)} SQL statements taking {sql_ms:.0f} ms",
        "Slowest statements:",
    ]
    for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:5]:
        lines.append(f"  {float(query['time']) * 1000:7.1f} ms  {_short(query['sql'], 240)}")
    return "\n".join(lines + ["", hot_spots(profiler)])


def _sent_of_due() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM claims_reminder r JOIN {STATE_TABLE} b ON b.reminder_id = r.id "
            "WHERE r.sent_at IS NOT NULL"
        )
        return cursor.fetchone()[0]


def measure(*, log=print) -> dict:
    from django.core import mail

    from claims.models import Claim, Reminder

    note = _unavailable()
    if note:
        return {"available": False, "note": note}
    result = {"available": True, "claims": Claim.objects.count()}
    result.update(prepare_baseline(log=log))
    result["reminder_rows"] = Reminder.objects.count()
    runs = []
    for run in range(REPEAT):
        result["made_due"] = reset_and_make_due()
        if run == 0:
            result["plans"] = explain()
        seconds, output = time_one_sweep()
        runs.append(seconds)
        result.update(sent=_sent_of_due(), digests=len(getattr(mail, "outbox", [])), output=output)
        log(f"  sweep {run + 1}: {seconds * 1000:.0f} ms ({output})")
    result["profile"] = profile_one_sweep()
    reset_and_make_due(0)  # leave the database in steady state
    result["runs"] = [round(seconds, 4) for seconds in runs]
    result["seconds"] = statistics.median(runs)
    return result


def main() -> None:
    import sys

    from bench.config import setup_django

    setup_django()
    result = measure(log=lambda line: print(line, file=sys.stderr, flush=True))
    print(json.dumps(result))


if __name__ == "__main__":
    main()

"""Fill an empty benchmark database with N synthetic claims, with their history.

Why SQL and not ``bulk_create_with_history``: a million claims means about six million
rows (claims, updates, appearances and a history row or two for each). Built as Python
objects that takes tens of minutes on this machine; generated inside PostgreSQL with
``INSERT ... SELECT generate_series`` it takes a few minutes. The history is not skipped:
every tracked row gets its historical row(s) in the same transaction, written by
``claims.services.system_user()`` with the reason ``REASON``, exactly the shape
simple-history writes (``+`` on creation, ``~`` for the claim's later status and
publication change).

This module is for the benchmark only. It refuses any database whose name does not
contain "bench" (or start with "test_", for its tests) or that already holds claims:
it never writes to a newsroom's data.

    python -m bench.generate --claims 10000    (DATABASE_URL names the benchmark database)
"""

import argparse
import datetime
import sys
import time

REASON = "Synthetic benchmark data (bench.generate)"
SEED = 0.4242
# A desk of a dozen editors shares the register (and, for unassigned claims, the reminders).
EDITORS = 12
# Bumped whenever the shape of the generated data changes, so that stale databases are rebuilt.
GENERATOR_VERSION = 2
# Claims whose history rows are compared at a time when the feed's entries are marked.
FEED_MARK_BATCH = 100_000

# Ratios of the generated register; see docs/benchmarks.md ("Data").
CLAIMS_PER_CLAIMANT = 50
CLAIMS_PER_SOURCE = 4

TRACKED_TABLES = ["claimant", "source", "claim", "update", "appearance"]


def _history_columns(model) -> list[str]:
    """Columns the historical table copies from the model's own table."""
    return [field.column for field in model.history.model.tracked_fields]


def _history_own_columns(model) -> dict[str, object]:
    """Columns of the historical table that the model's table lacks (Claim's feed marks), at their defaults."""
    copied = set(_history_columns(model))
    return {
        field.column: field.get_default()
        for field in model.history.model._meta.concrete_fields
        if field.column not in copied and not field.name.startswith("history_") and field.column != "history_id"
    }


def _insert_history(cursor, model, *, user_id: int, date_sql: str, history_type: str = "+", where: str = "TRUE",
                    overrides: dict[str, str] | None = None, reason_sql: str = "%(reason)s") -> None:  # fmt: skip
    """One historical row per matching row of the model's table, as simple-history would write it."""
    overrides = overrides or {}
    columns = _history_columns(model)
    values = [overrides.get(column, f"t.{column}") for column in columns]
    own = _history_own_columns(model)
    columns += own
    values += [f"%(own_{column})s" for column in own]
    cursor.execute(
        f"""
        INSERT INTO {model.history.model._meta.db_table}
            ({", ".join(columns)}, history_date, history_change_reason, history_type, history_user_id)
        SELECT {", ".join(values)}, {date_sql}, {reason_sql}, %(type)s, %(user)s
        FROM {model._meta.db_table} t WHERE {where}
        """,
        {"reason": REASON, "type": history_type, "user": user_id, **{f"own_{c}": v for c, v in own.items()}},
    )


def _users(cursor) -> list[int]:
    """Editors who are assigned claims and receive reminders, plus the desk chief used by the admin benchmark."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user_model = get_user_model()
    editors_group = Group.objects.get(name="Editors")
    chief_group = Group.objects.get(name="Chief editors")
    editors = []
    for n in range(1, EDITORS + 1):
        user, _ = user_model.objects.get_or_create(
            username=f"bench-editor-{n:02d}",
            defaults={"email": f"bench-editor-{n:02d}@newsroom.example", "is_staff": True},
        )
        user.groups.add(editors_group)
        editors.append(user.pk)
    chief, _ = user_model.objects.get_or_create(
        username="bench-chief", defaults={"email": "bench-chief@newsroom.example", "is_staff": True}
    )
    chief.groups.add(editors_group, chief_group)
    return editors


def _check_target(connection) -> None:
    from claims.models import Claim

    name = connection.settings_dict["NAME"]
    if "bench" not in name and not name.startswith("test_"):
        sys.exit(f"bench.generate writes synthetic data only to a benchmark (or test) database; {name!r} is not one.")
    if Claim.objects.exists():
        sys.exit(f"bench.generate fills empty databases only; {name!r} already has claims.")


PUBLIC_CHANGED_SQL = """
UPDATE claims_claim c SET public_changed_at = greatest(
    CASE WHEN c.status <> 'pending' OR c.published_at IS NOT NULL
         THEN greatest(c.updated_at, coalesce(c.published_at, c.updated_at)) ELSE c.created_at END,
    related.updated, related.appeared)
FROM (
    SELECT claim.id, updates.latest AS updated, appearances.latest AS appeared
    FROM claims_claim claim
    LEFT JOIN (SELECT claim_id, max(created_at) AS latest FROM claims_update GROUP BY claim_id) updates
           ON updates.claim_id = claim.id
    LEFT JOIN (SELECT claim_id, max(created_at) AS latest FROM claims_appearance GROUP BY claim_id) appearances
           ON appearances.claim_id = claim.id
) related
WHERE related.id = c.id
"""

CLAIMANT_CHANGED_SQL = """
UPDATE claims_claimant claimant SET public_changed_at = latest.changed
FROM (SELECT claimant_id, max(public_changed_at) AS changed FROM claims_claim GROUP BY claimant_id) latest
WHERE latest.claimant_id = claimant.id
"""


def generate(claims: int, *, log=print) -> dict[str, int]:
    from django.db import connection, transaction

    from claims.history import mark_public_events
    from claims.models import Appearance, Claim, Claimant, Source, Update
    from claims.services import system_user

    _check_target(connection)
    claimants = max(10, claims // CLAIMS_PER_CLAIMANT)
    sources = max(10, claims // CLAIMS_PER_SOURCE)
    params = {"claims": claims, "claimants": claimants, "sources": sources, "reason": REASON}

    def step(label, sql, extra=None):
        started = time.monotonic()
        cursor.execute(sql, {**params, **(extra or {})})
        log(f"  {label}: {cursor.rowcount:,} rows in {time.monotonic() - started:.1f} s")

    with transaction.atomic(), connection.cursor() as cursor:
        # Bulk load settings for this transaction only; a crash loses only synthetic rows.
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        # JIT compiling these wide INSERT ... SELECTs costs more than running them (24 s of 33 s at 100k).
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SELECT setseed(%s)", [SEED])
        system = system_user()
        editors = _users(cursor)
        params.update({"editors": editors, "user": system.pk})

        step("claimants", CLAIMANTS_SQL)
        step("sources", SOURCES_SQL)
        step("claims", CLAIMS_SQL)
        step("updates", UPDATES_SQL)
        step("appearances", APPEARANCES_SQL)
        for model in (Claim, Claimant, Source, Update, Appearance):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"
            )

        started = time.monotonic()
        created = "now() - interval '7 years'"
        _insert_history(cursor, Claimant, user_id=system.pk, date_sql=created)
        _insert_history(cursor, Source, user_id=system.pk, date_sql="coalesce(t.published_on::timestamptz, now())")
        # A claim is first recorded as a pending draft, then rated and/or published (one more version).
        _insert_history(
            cursor,
            Claim,
            user_id=system.pk,
            date_sql="t.created_at",
            overrides={"status": "'pending'", "resolved_on": "NULL", "verdict": "''", "published_at": "NULL",
                       "actual_value": "NULL"},
        )  # fmt: skip
        _insert_history(
            cursor,
            Claim,
            user_id=system.pk,
            history_type="~",
            date_sql="greatest(t.updated_at, coalesce(t.published_at, t.updated_at))",
            where="t.status <> 'pending' OR t.published_at IS NOT NULL",
            reason_sql="CASE WHEN t.status <> 'pending' THEN 'Timeline update: ' || t.status ELSE 'Published' END"
            " || ' — ' || %(reason)s",
        )
        # The feed's entries among those rows, as claims.history.mark_public_event marks them on a write.
        for low in range(1, claims + 1, FEED_MARK_BATCH):
            mark_public_events(low, low + FEED_MARK_BATCH)
        _insert_history(cursor, Update, user_id=system.pk, date_sql="t.created_at")
        _insert_history(cursor, Appearance, user_id=system.pk, date_sql="t.created_at")
        log(f"  history: {time.monotonic() - started:.1f} s")
        # What claims.public_cache would have stamped: the latest of the history rows above.
        step("public_changed_at", PUBLIC_CHANGED_SQL)
        step("claimants' public_changed_at", CLAIMANT_CHANGED_SQL)

    models = (Claimant, Source, Claim, Update, Appearance)
    counts = {table: _count(model) for table, model in zip(TRACKED_TABLES, models, strict=True)}
    counts["history"] = sum(_count(model.history.model) for model in models)
    return counts


def _count(model) -> int:
    return model._default_manager.count()


REWRITTEN_TABLES = ("claims_claim", "claims_historicalclaim")


def analyze(*, log=print) -> None:
    """Fresh statistics and a visibility map, as autovacuum would eventually give a live database."""
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        # Filling public_changed_at and the feed's marks rewrote every claim and most of their
        # history rows, which left their indexes twice their size, half of each page dead: a
        # register written row by row over years, or restored from a dump, has compact ones.
        for table in REWRITTEN_TABLES:
            cursor.execute(f"REINDEX TABLE {table}")
        cursor.execute("VACUUM (ANALYZE)")
    log(f"  reindex, vacuum analyze: {time.monotonic() - started:.1f} s")


# --- SQL ---------------------------------------------------------------------------------
# random() is seeded (setseed) at the start of the transaction, so a size always gives the
# same data. Dates are relative to the day of generation.

CLAIMANTS_SQL = """
INSERT INTO claims_claimant (id, name, slug, kind, url)
SELECT i,
       CASE WHEN mod(i, 4) = 0
            THEN (ARRAY['Ana', 'Bruno', 'Chloé', 'Dmitri', 'Eva', 'Farid', 'Greta', 'Hiro', 'Ines',
                        'Jonas'])[1 + mod(i, 10)]
                 || ' ' || (ARRAY['Moreau', 'Rossi', 'Schmidt', 'Novak', 'Silva', 'Tanaka', 'Berg',
                                  'Costa'])[1 + mod(i, 8)]
                 || ' (' || i || ')'
            ELSE (ARRAY['Northwind', 'Ampere', 'Helios', 'Vanta', 'Oskar', 'Lumen', 'Kestrel', 'Tirol', 'Brio',
                        'Atlas'])[1 + mod(i, 10)]
                 || ' ' || (ARRAY['Motors', 'Energy', 'Rail', 'Telecom', 'Holdings', 'Grid', 'Airlines',
                                  'Steel'])[1 + mod(i, 8)]
                 || ' ' || i
       END,
       'bench-claimant-' || i,
       CASE WHEN mod(i, 4) = 0 THEN 'person' ELSE 'organization' END,
       'https://claimant-' || i || '.example.org/'
FROM generate_series(1, %(claimants)s) AS i
"""

SOURCES_SQL = """
INSERT INTO claims_source (id, title, url, publisher, published_on, body)
SELECT i,
       (ARRAY['Capital markets day', 'Annual report', 'Press conference', 'Interview', 'Earnings call',
              'Keynote', 'Parliament answer', 'Press release'])[1 + mod(i, 8)] || ' no. ' || i,
       CASE WHEN mod(i, 10) = 0 THEN '' ELSE 'https://news.example/' || (2018 + mod(i, 8)) || '/story-' || i END,
       (ARRAY['Daily Example', 'Motoring Desk', 'Example Wire', 'Business Example', 'Regional Herald'])[1 + mod(i, 5)],
       current_date - (random() * 2555)::int,
       ''
FROM generate_series(1, %(sources)s) AS i
"""

# Deadline: a claim made in the last 7 years about a horizon of 1 month to 5 years; the
# stated precision decides the window (start..end). Status follows whether it has passed.
CLAIMS_SQL = """
WITH draw AS (
    SELECT i,
           now() - random() * interval '2555 days' AS created_at,
           30 + (random() * 1800)::int AS horizon_days,
           random() AS r_precision, random() AS r_status, random() AS r_resolved, random() AS r_target,
           random() AS r_published, random() AS r_assignee, random() AS r_claimant, random() AS r_source,
           random() AS r_text
    FROM generate_series(1, %(claims)s) AS i
), precision AS (
    SELECT d.*,
           CASE WHEN r_precision < 0.15 THEN 'day' WHEN r_precision < 0.35 THEN 'month'
                WHEN r_precision < 0.50 THEN 'quarter' WHEN r_precision < 0.55 THEN 'half'
                WHEN r_precision < 0.80 THEN 'year' WHEN r_precision < 0.82 THEN 'decade'
                WHEN r_precision < 0.92 THEN 'vague' ELSE 'none' END AS deadline_precision,
           (created_at::date + horizon_days) AS anchor,
           -- claimants: a few make many claims (squared draw), most make a handful
           1 + mod((%(claimants)s * r_claimant * r_claimant)::int, %(claimants)s) AS claimant_id,
           1 + mod((%(sources)s * r_source)::int, %(sources)s) AS source_id
    FROM draw d
), window_ AS (
    SELECT p.*,
           CASE deadline_precision
               WHEN 'day' THEN anchor
               WHEN 'month' THEN date_trunc('month', anchor)::date
               WHEN 'quarter' THEN date_trunc('quarter', anchor)::date
               WHEN 'half' THEN make_date(extract(year FROM anchor)::int,
                                          CASE WHEN extract(month FROM anchor) <= 6 THEN 1 ELSE 7 END, 1)
               WHEN 'year' THEN make_date(extract(year FROM anchor)::int, 1, 1)
               WHEN 'decade' THEN make_date(extract(year FROM anchor)::int / 10 * 10, 1, 1)
           END AS deadline_start,
           CASE deadline_precision
               WHEN 'day' THEN anchor
               WHEN 'month' THEN (date_trunc('month', anchor) + interval '1 month - 1 day')::date
               WHEN 'quarter' THEN (date_trunc('quarter', anchor) + interval '3 months - 1 day')::date
               WHEN 'half' THEN (make_date(extract(year FROM anchor)::int,
                                           CASE WHEN extract(month FROM anchor) <= 6 THEN 1 ELSE 7 END, 1)
                                 + interval '6 months - 1 day')::date
               WHEN 'year' THEN make_date(extract(year FROM anchor)::int, 12, 31)
               WHEN 'decade' THEN make_date(extract(year FROM anchor)::int / 10 * 10 + 9, 12, 31)
           END AS deadline_end
    FROM precision p
), rated AS (
    SELECT w.*,
           CASE
               WHEN deadline_end IS NULL THEN
                   CASE WHEN r_status < 0.45 THEN 'pending' WHEN r_status < 0.65 THEN 'in_progress'
                        WHEN r_status < 0.75 THEN 'stalled' WHEN r_status < 0.85 THEN 'unverifiable'
                        WHEN r_status < 0.92 THEN 'withdrawn' WHEN r_status < 0.97 THEN 'fulfilled'
                        ELSE 'missed' END
               WHEN deadline_end < current_date THEN
                   CASE WHEN r_status < 0.30 THEN 'missed' WHEN r_status < 0.55 THEN 'fulfilled'
                        WHEN r_status < 0.65 THEN 'fulfilled_late' WHEN r_status < 0.75 THEN 'partly_fulfilled'
                        WHEN r_status < 0.80 THEN 'withdrawn' WHEN r_status < 0.85 THEN 'unverifiable'
                        WHEN r_status < 0.93 THEN 'pending' WHEN r_status < 0.97 THEN 'in_progress'
                        ELSE 'stalled' END
               ELSE
                   CASE WHEN r_status < 0.50 THEN 'pending' WHEN r_status < 0.82 THEN 'in_progress'
                        WHEN r_status < 0.92 THEN 'stalled' WHEN r_status < 0.95 THEN 'withdrawn'
                        WHEN r_status < 0.98 THEN 'fulfilled' ELSE 'unverifiable' END
           END AS status
    FROM window_ w
), resolved AS (
    SELECT r.*,
           CASE
               WHEN status IN ('pending', 'in_progress', 'stalled') THEN NULL
               -- on time: on or before the deadline (and never before the claim was made)
               WHEN status = 'fulfilled' AND deadline_end IS NOT NULL THEN
                   greatest(created_at::date,
                            least(deadline_end, current_date) - (r_resolved * 90)::int)
               WHEN status IN ('fulfilled_late', 'missed') AND deadline_end IS NOT NULL THEN
                   least(current_date, deadline_end + 1 + (r_resolved * 180)::int)
               ELSE created_at::date + (r_resolved * (current_date - created_at::date))::int
           END AS resolved_on
    FROM rated r
)
INSERT INTO claims_claim (
    id, statement, quote, slug, deadline_text, deadline_start, deadline_end, deadline_precision,
    target_quantity, target_comparator, target_value, target_unit, actual_value,
    status, resolved_on, verdict, notes, published_at, created_at, updated_at,
    assignee_id, claimant_id, source_id)
SELECT
    i,
    c.name || ' will ' || (ARRAY['launch', 'open', 'deliver', 'build', 'cut', 'double', 'phase out', 'hire for',
                                 'sell', 'electrify'])[1 + mod((r_text * 10)::int, 10)]
        || ' ' || (ARRAY['a compact electric car', 'a battery plant', 'its first offshore wind farm',
                         'a night-train line', 'emissions from its fleet', 'the charging network',
                         'coal power', 'a new research centre', 'a budget hatchback', 'the regional rail fleet'])
                  [1 + mod((r_text * 100)::int, 10)]
        || ' in ' || (ARRAY['Europe', 'the United States', 'France', 'Germany', 'Japan', 'the region'])
                     [1 + mod((r_text * 1000)::int, 6)]
        || CASE WHEN deadline_end IS NULL THEN '.' ELSE ' by ' || to_char(deadline_end, 'FMMonth YYYY') || '.' END,
    'We expect to ' || (ARRAY['get there', 'deliver this', 'be ready', 'start production'])[1 + mod(i, 4)]
        || CASE WHEN deadline_end IS NULL THEN ' in the coming years'
                ELSE ' by ' || extract(year FROM deadline_end) END,
    'bench-claim-' || i,
    CASE deadline_precision
        WHEN 'day' THEN 'on ' || to_char(deadline_end, 'FMDD Mon YYYY')
        WHEN 'month' THEN 'by ' || to_char(deadline_end, 'FMMonth YYYY')
        WHEN 'quarter' THEN 'in Q' || extract(quarter FROM deadline_end) || ' ' || extract(year FROM deadline_end)
        WHEN 'half' THEN 'in the ' || CASE WHEN extract(month FROM deadline_end) <= 6 THEN 'first' ELSE 'second' END
                         || ' half of ' || extract(year FROM deadline_end)
        WHEN 'year' THEN 'by ' || extract(year FROM deadline_end)
        WHEN 'decade' THEN 'by the end of the decade'
        WHEN 'vague' THEN (ARRAY['soon', 'in the coming years', 'eventually'])[1 + mod(i, 3)]
        ELSE ''
    END,
    deadline_start, deadline_end, deadline_precision,
    CASE WHEN r_target < 0.2
         THEN (ARRAY['starting price', 'range', 'units sold', 'jobs', 'charging points'])[1 + mod(i, 5)]
         ELSE '' END,
    CASE WHEN r_target < 0.2 THEN (ARRAY['<', '<=', '=', '>=', '>'])[1 + mod(i, 5)] ELSE '' END,
    CASE WHEN r_target < 0.2 THEN round((1000 + r_target * 500000)::numeric, 2) END,
    CASE WHEN r_target < 0.2 THEN (ARRAY['EUR', 'km', 'units', 'jobs', 'points'])[1 + mod(i, 5)] ELSE '' END,
    CASE WHEN r_target < 0.12 AND resolved_on IS NOT NULL
         THEN round((1000 + r_target * 500000 * (0.6 + r_resolved * 0.8))::numeric, 2) END,
    status, resolved_on,
    CASE WHEN resolved_on IS NULL THEN ''
         ELSE 'Rated ' || replace(status, '_', ' ') || ' on ' || resolved_on || ' after checking the record.' END,
    CASE WHEN mod(i, 7) = 0 THEN 'Call the press office before updating.' ELSE '' END,
    CASE WHEN r_published < 0.85 THEN created_at + (1 + r_published * 72) * interval '1 hour' END,
    created_at,
    CASE WHEN resolved_on IS NOT NULL THEN greatest(created_at, resolved_on + interval '10 hours')
         WHEN status = 'pending' THEN created_at
         ELSE created_at + r_resolved * (now() - created_at) END,
    -- The desk assigns nearly every open claim (an unassigned one reminds every editor).
    CASE WHEN r_assignee < CASE WHEN status IN ('pending', 'in_progress', 'stalled') THEN 0.95 ELSE 0.70 END
         THEN (%(editors)s::int[])[1 + mod((r_assignee * 1000)::int, cardinality(%(editors)s::int[]))]
    END,
    claimant_id, source_id
FROM resolved
JOIN claims_claimant c ON c.id = resolved.claimant_id
"""

# Every rated claim has the timeline entry that moved it; about half of all claims also have
# a progress note without a status.
UPDATES_SQL = """
INSERT INTO claims_update (claim_id, date, summary, url, status, created_at)
SELECT claim_id, dated::date, summary, url, status, dated FROM (
    SELECT id AS claim_id, coalesce(resolved_on::timestamptz + interval '10 hours', updated_at) AS dated,
           'Checked: ' || replace(status, '_', ' ') || '. ' || left(statement, 80) AS summary,
           'https://news.example/follow-up/' || id AS url, status
    FROM claims_claim WHERE status <> 'pending'
    UNION ALL
    SELECT id AS claim_id, created_at + (updated_at - created_at) * random() AS dated,
           'Progress note: the company repeated the plan at an event.' AS summary, '' AS url, '' AS status
    FROM claims_claim WHERE random() < 0.5
) AS u
ORDER BY claim_id, u.dated
"""

APPEARANCES_SQL = """
INSERT INTO claims_appearance (claim_id, source_id, quote, created_at)
SELECT id, 1 + mod(source_id, %(sources)s), 'Repeated: ' || left(quote, 60), created_at + interval '30 days'
FROM claims_claim
WHERE mod(id, 12) = 0 AND 1 + mod(source_id, %(sources)s) <> source_id
"""


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, required=True)
    args = parser.parse_args(argv)

    from bench.config import setup_django

    setup_django()
    started = time.monotonic()
    print(f"Generating {args.claims:,} claims ({datetime.date.today()}):", flush=True)
    counts = generate(args.claims, log=lambda line: print(line, flush=True))
    analyze(log=lambda line: print(line, flush=True))
    print(
        "  "
        + ", ".join(f"{table} {count:,}" for table, count in counts.items())
        + f"; {time.monotonic() - started:.0f} s in all",
        flush=True,
    )


if __name__ == "__main__":
    main()

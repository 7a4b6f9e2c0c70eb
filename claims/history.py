"""Which history rows of a claim are public events: a publication, a change of status, a correction.

Readers learn of a claim's life through these events (the feed, the corrections log, and
anything else that tells readers what changed), so each of Claim's history rows is
marked as one, or not, when it is written (``mark_public_event``), from the row before it:

- the claim's first publication, or its return after being unpublished (PUBLISHED);
- a write marked as a correction while the claim is published (CORRECTION), whatever
  it changed; its public explanation is on the row (``correction``);
- a change of status while published (STATUS);
- the claim taken off the site: unpublished, or deleted while published (UNPUBLISHED).
  Readers are never shown it (the feed lists the other kinds, of claims published now);
  it is there for those who keep copies (partners' webhooks, followers) to take theirs down.

Rows written while the claim was a draft, or unpublished, are never events. Readers of
the marks then read them from one partial index instead of comparing every recent row
with the one before it. Rows written without simple-history's signals (its bulk path, the
benchmark's generator) are marked in SQL by the same rule (``mark_public_events``);
migration 0011 keeps its own copy of the rule as it stood then.

This module belongs to the register: it knows the history's rows, nothing of the pages
that show them. It imports nothing of claims.models (which imports it), and finds the
history's model through the app registry when it needs it.
"""

from django.apps import apps
from django.db import connection, models

# The SQL rule needs a row's correction text to know whether it is one.
CORRECTION_FIELD = "correction"


class FeedEntry(models.TextChoices):
    """Whether a history row of a claim is a public event, and of which kind (see the module docstring)."""

    NONE = "", "Not an entry"
    PUBLISHED = "published", "Published (first, or again after being unpublished)"
    STATUS = "status", "Status changed while published"
    CORRECTION = "correction", "Corrected while published"
    UNPUBLISHED = "unpublished", "Taken off the site (unpublished, or deleted while published)"

    @classmethod
    def shown_to_readers(cls) -> list[str]:
        """The kinds readers are told of (the feed); UNPUBLISHED is for those who keep copies."""
        return [cls.PUBLISHED, cls.STATUS, cls.CORRECTION]


def _historical_claim():
    return apps.get_model("claims", "HistoricalClaim")


def mark_public_event(sender, instance, history_instance, **kwargs):
    """Mark a history row of a claim as a public event (FeedEntry), and carry its correction.

    Connected to simple-history's pre_create_historical_record for Claim (claims.models),
    so every write that records history marks its row. The row before it is read here
    (one indexed query per claim write); two writes of one claim cannot interleave, since
    each holds the claim's row lock until it commits. A correction's explanation rides on
    the claim being saved (``_correction``, set by claims.services like the history's
    reason) and is written on the row even when it is no event (a draft's).
    """
    row = history_instance
    row.correction = getattr(instance, "_correction", "") or ""
    before = sender.objects.filter(id=row.id).order_by("-history_id").values_list("status", "published_at").first()
    was_published = before is not None and before[1] is not None
    if row.history_type == "-" or row.published_at is None:
        if was_published:
            row.feed_entry = FeedEntry.UNPUBLISHED
        return
    if not was_published:
        row.feed_entry = FeedEntry.PUBLISHED
    elif row.correction:
        row.feed_entry = FeedEntry.CORRECTION
        row.feed_previous_status = before[0] if before[0] != row.status else ""
    elif before[0] != row.status:
        row.feed_entry, row.feed_previous_status = FeedEntry.STATUS, before[0]


def mark_public_events(low: int, high: int) -> None:
    """Mark the events among the history rows of the claims with ``low <= id < high``, in SQL.

    The rule of mark_public_event, for rows written without simple-history's signals: its
    bulk path (mark_public_events_of) and the benchmark's generator. Each claim's rows are
    compared with the row before them in a window, in the order they were written.
    Running it again marks the same rows.
    """
    _mark('"id" >= %s AND "id" < %s', [low, high])


def mark_public_events_of(claim_ids) -> None:
    """mark_public_events for these claims only (a bulk write's: they may lie far apart)."""
    ids = sorted(set(claim_ids))
    for start in range(0, len(ids), IDS_PER_STATEMENT):
        chunk = ids[start : start + IDS_PER_STATEMENT]
        _mark(f'"id" IN ({", ".join(["%s"] * len(chunk))})', chunk)


# Fewer parameters than SQLite allows in one statement.
IDS_PER_STATEMENT = 500


def _mark(claims_where: str, params: list) -> None:
    table = connection.ops.quote_name(_historical_claim()._meta.db_table)
    marks = f"""
        SELECT history_id, entry,
               CASE WHEN entry IN ('status', 'correction') AND previous_status <> status
                    THEN previous_status ELSE '' END AS previous_status
        FROM (
            SELECT history_id, status,
                   lag(status) OVER w AS previous_status,
                   CASE
                       WHEN published_at IS NULL OR history_type = '-' THEN
                           CASE WHEN lag(published_at) OVER w IS NOT NULL THEN 'unpublished' ELSE '' END
                       WHEN lag(history_id) OVER w IS NULL OR lag(published_at) OVER w IS NULL THEN 'published'
                       WHEN {CORRECTION_FIELD} <> '' THEN 'correction'
                       WHEN lag(status) OVER w <> status THEN 'status'
                       ELSE ''
                   END AS entry
            FROM {table}
            WHERE {claims_where}
            WINDOW w AS (PARTITION BY "id" ORDER BY history_id)
        ) rows
        WHERE entry <> ''
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET feed_entry = marks.entry, feed_previous_status = marks.previous_status "
            f"FROM ({marks}) marks WHERE {table}.history_id = marks.history_id",
            params,
        )

"""A claim's public timeline: its updates, and the changes readers could see, from the history.

Only public fields are read from the history (never ``notes``, the assignee or the
editors' change reasons; a correction's explanation, which is written for readers), and
only states the claim had while it was published: changes made while it was a draft, or
while it was withdrawn from the site, show only through the state it was published
(again) with.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from claims import formats
from claims.models import Claim, FeedEntry, Status, Update, historical_claim_model
from claims.views import reply

# Public columns of the history; nothing else is fetched.
PUBLIC_HISTORY_FIELDS = (
    "history_id",
    "history_date",
    "status",
    "published_at",
    "deadline_text",
    "deadline_end",
    "actual_value",
    "target_unit",
    "feed_entry",
    "correction",
)
# A status change recorded by an update is written in the same transaction, moments later.
UPDATE_STATUS_MATCH = datetime.timedelta(minutes=1)


@dataclass
class Entry:
    date: datetime.date
    kind: str  # "made", "published", "status", "deadline", "measured", "update", "correction", "reply"
    title: str
    text: str = ""
    url: str = ""
    status: Status | None = None
    # Sorts entries of one day: the statement first, then updates and recorded changes in the
    # order they were written (an update's created_at, a change's time), so that "Added to the
    # tracker" stands before what was written after it that day, and after what came before.
    order: tuple = ()

    @property
    def sort_key(self):
        return (self.date, self.order)


@dataclass
class Correction:
    when: datetime.datetime
    explanation: str

    @property
    def date(self) -> datetime.date:
        return timezone.localdate(self.when)


@dataclass
class Timeline:
    entries: list[Entry]
    # When the claim's current status was first shown to readers (ClaimReview datePublished).
    status_published_at: datetime.datetime | None
    # Corrections made while the claim was published, oldest first.
    corrections: list[Correction]


def public_history(claim: Claim) -> list[dict]:
    rows = historical_claim_model().objects.filter(id=claim.pk).order_by("history_date", "history_id")
    return list(rows.values(*PUBLIC_HISTORY_FIELDS))


def _deadline(row) -> str:
    if row["deadline_text"]:
        return formats.quoted(row["deadline_text"])
    if row["deadline_end"]:
        return formats.newsroom_date(row["deadline_end"])
    return formats.NO_DATE


def _measured(row) -> str:
    return formats.amount(row["actual_value"], row["target_unit"])


def history_entries(rows: list[dict]) -> tuple[list[Entry], datetime.datetime | None]:
    """Entries for what changed between the states readers saw; drafts and unpublished spells are skipped."""
    entries: list[Entry] = []
    shown = None  # the last state readers saw
    status_published_at = None
    for row in rows:
        if row["published_at"] is None:
            continue
        when = row["history_date"]
        # Ordered within its day by when it happened, among the updates (Entry.order).
        day, order, status = timezone.localdate(when), (1, when), Status(row["status"])
        if shown is None:
            entries.append(Entry(day, "published", "Added to the tracker", status=status, order=order))
            status_published_at = when
            shown = row
            continue
        if row["status"] != shown["status"]:
            was = Status(shown["status"]).label
            entries.append(
                Entry(day, "status", "Status changed", f"Was {formats.quoted(was)}.", status=status, order=order)
            )
            status_published_at = when
        if (row["deadline_text"], row["deadline_end"]) != (shown["deadline_text"], shown["deadline_end"]):
            text = f"From {_deadline(shown)} to {_deadline(row)}."
            entries.append(Entry(day, "deadline", "Deadline changed", text, order=order))
        if row["actual_value"] is not None and row["actual_value"] != shown["actual_value"]:
            entries.append(Entry(day, "measured", "Outcome measured", f"Actual value: {_measured(row)}.", order=order))
        if row["feed_entry"] == FeedEntry.CORRECTION:
            entries.append(Entry(day, "correction", "Correction", row["correction"], order=order))
        shown = row
    return entries, status_published_at


def update_entries(updates: list[Update]) -> list[Entry]:
    entries = []
    for update in updates:
        status = Status(update.status) if update.status else None
        entries.append(
            Entry(
                update.date,
                "update",
                "Update",
                update.summary,
                url=update.url,
                status=status,
                order=(1, update.created_at),
            )
        )
    return entries


def _drop_changes_told_by_updates(history: list[Entry], updates: list[Update]) -> list[Entry]:
    """A status change made by an update is told once, by the update (which has the real date and a summary)."""
    told = [(u.status, u.created_at) for u in updates if u.status]
    kept = []
    for entry in history:
        if entry.kind == "status" and any(
            entry.status == status and abs(entry.order[1] - created) <= UPDATE_STATUS_MATCH for status, created in told
        ):
            continue
        kept.append(entry)
    return kept


def corrections(rows: list[dict]) -> list[Correction]:
    """The corrections readers were told of (made while the claim was published), oldest first."""
    shown = [row for row in rows if row["feed_entry"] == FeedEntry.CORRECTION]
    return [Correction(row["history_date"], row["correction"]) for row in shown]


def _explain_current_status(history: list[Entry], claim: Claim) -> None:
    """The change to the claim's current status carries its public explanation (the verdict readers see now).

    Only that one: an older rating's verdict is not the text the claim shows (as in the feed).
    A change told by an update has the update's summary instead.
    """
    if not claim.verdict:
        return
    for entry in reversed(history):
        if entry.kind in ("status", "published"):
            if entry.status == claim.status:
                entry.text = " ".join(part for part in (entry.text, claim.verdict) if part)
            return


def build(claim: Claim, history_rows: list[dict], updates: list[Update]) -> Timeline:
    history, status_published_at = history_entries(history_rows)
    history = _drop_changes_told_by_updates(history, updates)
    _explain_current_status(history, claim)
    entries = history + update_entries(updates) + reply.entries(claim, Entry)
    source = claim.source
    if source.published_on:
        where = f"in “{source.title}”" + (f" ({source.publisher})" if source.publisher else "")
        entries.append(
            Entry(
                source.published_on,
                "made",
                f"Claim made by {claim.claimant.name}",
                f"Reported {where}.",
                url=source.url,
                order=(0,),
            )
        )
    entries.sort(key=lambda entry: entry.sort_key)
    return Timeline(entries=entries, status_published_at=status_published_at, corrections=corrections(history_rows))

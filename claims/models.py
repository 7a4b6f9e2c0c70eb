"""The claim register: who promised what, where, by when, and what became of it.

Every model with ``history`` is tracked by django-simple-history. Writes go through
``claims.services``, which sets the acting user and a reason on each history row;
``TrackedModel.save`` refuses a write that has no reason, so no path can skip it, and
one made from a version the row has moved on from (claims.versions), so no path can
silently overwrite another's change.
"""

import datetime
import functools
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from simple_history.manager import HistoryManager
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from claims import formats, history
from claims.history import FeedEntry
from claims.versions import StaleEdit


class MissingChangeReason(Exception):
    """A tracked model was saved without a history reason: use claims.services."""


def newsroom_today() -> datetime.date:
    """Today's date on the newsroom's calendar (settings.TIME_ZONE)."""
    return timezone.localdate()


# What one write carries besides the row (claims.services sets them); each write must give its own.
_PER_WRITE = ("_change_reason", "_history_user", "_expected_version", "_correction")


# The dates the register accepts, on every field an editor or an import sets. Claims are
# made and fall due within a lifetime: a date outside this is a typo (9999 for "never",
# 0202 for 2020), and at the edge of the calendar the reminder points and the calendar's
# events (a day after the deadline) cannot be counted. The public API's year filter takes
# the same years.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2200, 12, 31)


def validate_sane_date(value: datetime.date | None) -> None:
    """Refuse a date (or the day of a datetime) outside EARLIEST_DATE..LATEST_DATE."""
    if value is None:
        return
    day = value.date() if isinstance(value, datetime.datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(
            "Give a date between %(earliest)s and %(latest)s; %(value)s looks like a typing mistake.",
            code="date_out_of_range",
            params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat(), "value": day.isoformat()},
        )


class TrackedModel(models.Model):
    """Base of every history-tracked model: a write needs a change reason, and the row's current version.

    ``version`` is 1 when the row is created and one more on each write; the history
    records it on every row. A write to an existing row locks it (SELECT ... FOR UPDATE,
    held until the transaction ends) and goes on only if its version is still the one the
    writer started from: ``_expected_version`` when the writer says (a form's, through
    claims.services), else the version this object was loaded with. Otherwise it raises
    claims.versions.StaleEdit and writes nothing.
    """

    # Not a PositiveIntegerField: its CHECK would make adding the column scan every row.
    version = models.IntegerField(default=1, db_default=1, editable=False, help_text="One more on each write.")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not getattr(self, "_change_reason", None):
            raise MissingChangeReason(
                f"Saving {type(self).__name__} needs a history reason; write through claims.services."
            )
        try:
            if self._state.adding or self.pk is None:  # a new row (or a copy of one, its key cleared)
                self.version = 1
                super().save(*args, **kwargs)
                return
            using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
            with transaction.atomic(using=using):
                loaded = self.version
                self.version = self._locked_version(using) + 1
                try:
                    super().save(*args, **kwargs)
                except BaseException:
                    self.version = loaded
                    raise
        finally:
            for attribute in _PER_WRITE:
                self.__dict__.pop(attribute, None)

    def delete(self, *args, **kwargs):
        if not getattr(self, "_change_reason", None):
            raise MissingChangeReason(
                f"Deleting {type(self).__name__} needs a history reason; write through claims.services."
            )
        try:
            using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
            with transaction.atomic(using=using):
                self._locked_version(using)
                return super().delete(*args, **kwargs)
        finally:
            for attribute in _PER_WRITE:
                self.__dict__.pop(attribute, None)

    def _locked_version(self, using: str) -> int:
        """Lock the row and return its version, or raise StaleEdit if it is not the one this write started from."""
        expected = self.__dict__.get("_expected_version")
        if expected is None:
            expected = self.version
        row = type(self)._base_manager.using(using).select_for_update().filter(pk=self.pk)
        current = row.values_list("version", flat=True).first()
        if current != expected:
            raise StaleEdit(self, expected, current)
        return current


class Status(models.TextChoices):
    """The promise meter. Labels are what readers see."""

    PENDING = "pending", "Not yet rated"
    IN_PROGRESS = "in_progress", "In the works"
    STALLED = "stalled", "Stalled"
    FULFILLED = "fulfilled", "Fulfilled"
    FULFILLED_LATE = "fulfilled_late", "Fulfilled late"
    PARTLY_FULFILLED = "partly_fulfilled", "Partly fulfilled"
    MISSED = "missed", "Missed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    UNVERIFIABLE = "unverifiable", "Unverifiable"

    @classmethod
    def open_values(cls) -> list[str]:
        return [cls.PENDING, cls.IN_PROGRESS, cls.STALLED]

    @classmethod
    def closed_values(cls) -> list[str]:
        return [status for status in cls if status not in cls.open_values()]

    @property
    def is_open(self) -> bool:
        return self in self.open_values()

    @property
    def is_closed(self) -> bool:
        return not self.is_open

    @property
    def rating(self) -> int | None:
        """ClaimReview ratingValue on a 1 (worst) to 5 (best) scale; None when not rated."""
        return _RATINGS.get(self)

    @property
    def definition(self) -> str:
        """The public definition of the status: the methodology page, the admin's help and the API share it."""
        return STATUS_DEFINITIONS[self]


# What each status means, as readers read it (/methodology/, the API's status_definition,
# the admin's help next to the status). One place, so that the desk and readers never
# work from two scales.
STATUS_DEFINITIONS = {
    Status.PENDING: "We track the claim but have not yet looked at how it is going.",
    Status.IN_PROGRESS: "There is public evidence of steps towards it (an order placed, a plant being built, a "
    "bill tabled), and the deadline has not passed.",
    Status.STALLED: "Nothing has moved for a long time, or the work was paused, but the claimant has not given "
    "up on it.",
    Status.FULFILLED: "It happened as claimed, by the deadline; a measurable target was met.",
    Status.FULFILLED_LATE: "It happened as claimed, but after the deadline.",
    Status.PARTLY_FULFILLED: "Part of it happened (some of the markets, a lower figure than promised, a smaller "
    "version): the verdict says which part.",
    Status.MISSED: "The deadline passed and it had not happened, or a measurable target was not met.",
    Status.WITHDRAWN: "The claimant said they would no longer do it, before the deadline.",
    Status.UNVERIFIABLE: "We cannot tell whether it happened: the claim is too vague, or the evidence is not public.",
}


_RATINGS = {
    Status.FULFILLED: 5,
    Status.FULFILLED_LATE: 4,
    Status.PARTLY_FULFILLED: 3,
    Status.WITHDRAWN: 2,
    Status.MISSED: 1,
}


class Precision(models.TextChoices):
    """How exactly the deadline was stated; dated precisions have deadline dates."""

    DAY = "day", "Day"
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"
    HALF = "half", "Half-year"
    YEAR = "year", "Year"
    DECADE = "decade", "Decade"
    VAGUE = "vague", "Vague (no date)"
    NONE = "none", "No deadline"

    @classmethod
    def undated_values(cls) -> list[str]:
        return [cls.VAGUE, cls.NONE]

    @property
    def is_dated(self) -> bool:
        return self not in self.undated_values()


class Comparator(models.TextChoices):
    LT = "<", "less than"
    LE = "<=", "at most"
    EQ = "=", "exactly"
    GE = ">=", "at least"
    GT = ">", "more than"

    def holds(self, actual: Decimal, target: Decimal) -> bool:
        return {
            "<": actual < target,
            "<=": actual <= target,
            "=": actual == target,
            ">=": actual >= target,
            ">": actual > target,
        }[self.value]


class Claimant(TrackedModel):
    class Kind(models.TextChoices):
        ORGANIZATION = "organization", "Organization"
        PERSON = "person", "Person"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.ORGANIZATION)
    url = models.URLField(blank=True)
    # When readers last saw the claimant's page change: the claimant itself, or any of its
    # claims changing in public (claims.public_cache); it versions the page's cached parts.
    # Derived, so the history does not record it.
    public_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["public_changed_at"])

    class Meta:
        ordering = ["name"]
        indexes = [
            # Claimants in name order (the model's ordering): the admin's claimant filter reads
            # the first 51 on every claim list (7 ms of a sort over 20,000 claimants without it),
            # the claimant list and the autocomplete.
            models.Index(fields=["name"], name="claims_claimant_name"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("claimant-detail", kwargs={"slug": self.slug})


class Source(TrackedModel):
    title = models.CharField(max_length=300)
    url = models.URLField(max_length=500, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    published_on = models.DateField(null=True, blank=True, validators=[validate_sane_date])
    body = models.TextField(blank=True, help_text="Text of the article, when kept (used by intake).")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_on", "title"]
        constraints = [
            # Unique when present: many sources (a press conference, a print edition) have no URL.
            models.UniqueConstraint(fields=["url"], condition=~Q(url=""), name="claims_source_url_unique"),
        ]

    def __str__(self):
        return f"{self.title} ({self.publisher})" if self.publisher else self.title


class ClaimQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def drafts(self):
        return self.filter(published_at__isnull=True)

    def open(self):
        return self.filter(status__in=Status.open_values())

    def closed(self):
        return self.filter(status__in=Status.closed_values())

    def overdue(self, today: datetime.date | None = None):
        return self.open().filter(deadline_end__lt=today or newsroom_today())

    def due_within(self, days: int, today: datetime.date | None = None):
        """Open claims whose deadline falls from today to today + days, inclusive."""
        today = today or newsroom_today()
        return self.open().filter(deadline_end__gte=today, deadline_end__lte=today + datetime.timedelta(days=days))

    def with_people(self):
        return self.select_related("claimant", "source", "assignee")

    def mentioning(self, word: str, *, in_source_titles: bool = False):
        """Claims whose statement, quote or claimant's name contains ``word`` (any case).

        ``in_source_titles`` also looks in the titles of the articles they come from (the
        admin's search).

        Runs one query now: the claimants whose name contains the word, so that the filter
        on claims is on the claims table alone (``claimant_id IN (ids)``). An OR across the
        join with claimants kept PostgreSQL from using any index, and a search for a word
        nobody wrote read every claim (four seconds at a million). On one table, with the
        trigram indexes of migration 0007, the planner can read the matching rows of a rare
        word from the indexes, and walk the newest claims for a common one (a UNION of the
        three matches, tried first, took seconds for a word in every statement).
        """
        matches = Q(statement__icontains=word) | Q(quote__icontains=word)
        matches |= _by_related("claimant", Claimant.objects.filter(name__icontains=word))
        if in_source_titles:
            matches |= _by_related("source", Source.objects.filter(title__icontains=word))
        return self.filter(matches)


def _by_related(foreign_key: str, related) -> Q:
    """``<foreign key>_id IN (ids of related)``, the ids read now; a subquery when there are too many."""
    ids = list(related.values_list("pk", flat=True)[: MAX_RELATED_IN_SEARCH + 1])
    if len(ids) > MAX_RELATED_IN_SEARCH:
        return Q(**{f"{foreign_key}__in": related})
    return Q(**{f"{foreign_key}_id__in": ids})


# A search word matching more claimants (or sources) than this is looked up with a subquery.
MAX_RELATED_IN_SEARCH = 1000


class ClaimHistoryMarks(models.Model):
    """Columns of Claim's history rows that the claim itself does not have (simple-history's ``bases``)."""

    feed_entry = models.CharField(max_length=12, choices=FeedEntry, blank=True, default=FeedEntry.NONE)
    # The status of the row before, for a STATUS entry ("Previously: In the works"), and for
    # a correction that changed the status.
    feed_previous_status = models.CharField(max_length=20, choices=Status, blank=True, default="")
    # A correction's public explanation (claims.services: ``correction=``); empty for other writes.
    correction = models.TextField(blank=True, default="")

    class Meta:
        abstract = True


class ClaimHistoryManager(HistoryManager):
    def bulk_history_create(self, objs, *args, **kwargs):
        """simple-history's bulk path sends no signals: its rows' public events are marked in SQL afterwards."""
        rows = super().bulk_history_create(objs, *args, **kwargs)
        history.mark_public_events_of(obj.pk for obj in objs if obj.pk is not None)
        return rows


class ClaimHistory(HistoricalRecords):
    """simple-history's records, with the public events' marks (ClaimHistoryMarks) kept on every write path."""

    def __init__(self, **kwargs):
        super().__init__(bases=[ClaimHistoryMarks], history_manager=ClaimHistoryManager, **kwargs)

    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        options["indexes"] = (
            # The feed: its entries, newest first. Partial, so status edits and wording fixes
            # (most history rows) neither fill it nor have to be skipped by a reader.
            models.Index(
                F("history_date").desc(),
                F("history_id").desc(),
                condition=~Q(feed_entry=FeedEntry.NONE),
                name="claims_hclaim_feed_entries",
            ),
            # The corrections log (/corrections/), newest first: corrections are rare, so the
            # index is small, and the log never walks the rest of the history.
            models.Index(
                F("history_date").desc(),
                F("history_id").desc(),
                condition=~Q(correction=""),
                name="claims_hclaim_corrections",
            ),
        )
        return options


class Claim(TrackedModel):
    statement = models.TextField(help_text="What will happen, in the newsroom's words.")
    quote = models.TextField(blank=True, help_text="Verbatim excerpt from the source.")
    claimant = models.ForeignKey(Claimant, on_delete=models.PROTECT, related_name="claims")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="claims")
    slug = models.SlugField(max_length=120, unique=True)

    deadline_text = models.CharField(max_length=200, blank=True, help_text='As written, e.g. "by 2026".')
    deadline_start = models.DateField(null=True, blank=True, validators=[validate_sane_date])
    deadline_end = models.DateField(null=True, blank=True, validators=[validate_sane_date])
    deadline_precision = models.CharField(max_length=10, choices=Precision, default=Precision.NONE)

    target_quantity = models.CharField(max_length=100, blank=True, help_text='e.g. "starting price".')
    target_comparator = models.CharField(max_length=2, choices=Comparator, blank=True)
    target_value = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    target_unit = models.CharField(max_length=40, blank=True, help_text='e.g. "EUR", "min", "km".')
    actual_value = models.DecimalField(
        max_digits=20, decimal_places=4, null=True, blank=True, help_text="The measured outcome, once known."
    )

    status = models.CharField(max_length=20, choices=Status, default=Status.PENDING)
    resolved_on = models.DateField(
        null=True,
        blank=True,
        validators=[validate_sane_date],
        help_text="When the outcome happened (set when the claim is closed).",
    )
    verdict = models.TextField(blank=True, help_text="Public summary of why the claim has its status.")
    notes = models.TextField(blank=True, help_text="Internal; never shown to readers.")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_claims"
    )
    published_at = models.DateTimeField(
        null=True, blank=True, validators=[validate_sane_date], help_text="Empty while the claim is a draft."
    )
    # The claimant's right of reply (shown on the claim's page, its timeline and the API):
    # when they were asked for comment, and their reply, or the day by which none had come.
    reply_requested_on = models.DateField(
        "asked for comment on", null=True, blank=True, validators=[validate_sane_date]
    )
    # db_default on the text columns: rows written in SQL (bench/generate.py, imports) need not name them.
    reply_text = models.TextField(
        "their reply", blank=True, default="", db_default="", help_text="Public: quote or sum up the reply."
    )
    reply_on = models.DateField("replied on", null=True, blank=True, validators=[validate_sane_date])
    reply_url = models.URLField("reply link", max_length=500, blank=True, default="", db_default="")
    no_reply_by = models.DateField(
        "no reply by",
        null=True,
        blank=True,
        validators=[validate_sane_date],
        help_text="When no reply had come by this day (leave empty once they reply).",
    )
    claim_reviewed = models.CharField(
        "claim reviewed (short)",
        max_length=300,
        blank=True,
        default="",
        db_default="",
        help_text="A short form of the claim for search engines' fact-check markup (ClaimReview "
        "claimReviewed); 75 characters or fewer. Empty: the statement.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When readers last saw the claim change: a public field, its timeline of updates, its
    # further appearances, its claimant or a source it is quoted from. Unlike updated_at,
    # a note or a new assignee does not move it. Kept by claims.public_cache on every such
    # write (in the same transaction); it dates the sitemap and the calendar and versions
    # the cached fragments of the claim's page. Derived from tracked rows, so the history
    # does not record it.
    public_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = ClaimHistory(excluded_fields=["updated_at", "public_changed_at"])
    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["deadline_end", "id"]
        permissions = [("publish_claim", "Can publish and unpublish claims")]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline_start__isnull=True)
                | Q(deadline_end__isnull=True)
                | Q(deadline_start__lte=F("deadline_end")),
                name="claims_claim_deadline_ordered",
            ),
            # A dated precision has an end date; "vague" and "none" have no dates at all.
            models.CheckConstraint(
                condition=(
                    Q(deadline_precision__in=Precision.undated_values())
                    & Q(deadline_start__isnull=True)
                    & Q(deadline_end__isnull=True)
                )
                | (~Q(deadline_precision__in=Precision.undated_values()) & Q(deadline_end__isnull=False)),
                name="claims_claim_precision_matches_dates",
            ),
            # A target is a comparator with a value, or nothing.
            models.CheckConstraint(
                condition=(Q(target_comparator="") & Q(target_value__isnull=True))
                | (~Q(target_comparator="") & Q(target_value__isnull=False)),
                name="claims_claim_target_complete",
            ),
        ]
        indexes = [
            # Admin list and public list: "status" filter sorted by deadline; reminder sweeps
            # look up open claims by deadline.
            models.Index(fields=["status", "deadline_end"], name="claims_claim_status_deadline"),
            # Admin "deadline window" filter and the public "due soon"/calendar, open claims only.
            # With the id, as the calendar orders them: its overdue part (latest first) reads 40
            # rows in order instead of sorting every claim of the deadlines it reaches (3.3 ms
            # to 0.7 ms at a million claims, where each day holds hundreds of deadlines).
            models.Index(
                fields=["deadline_end", "id"],
                condition=Q(status__in=Status.open_values()),
                name="claims_claim_open_deadline_id",
            ),
            # Public pages: Claim.objects.published() ordered by newest first, ties by id as the
            # list and the API sort them (without the id, PostgreSQL sorted each page's rows).
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(published_at__isnull=False),
                name="claims_claim_pub_newest",
            ),
            # The desk's "Drafts" count on every visit to the admin's home page, and the claim
            # list's "not published" filter: drafts are a small part of a large register.
            models.Index(fields=["id"], condition=Q(published_at__isnull=True), name="claims_claim_drafts"),
            # Admin "assignee: mine" filter and the reminder recipients lookup.
            models.Index(fields=["assignee", "deadline_end"], name="claims_claim_assignee_deadline"),
            # Claimant track record: a claimant's claims by status.
            models.Index(fields=["claimant", "status"], name="claims_claim_claimant_status"),
            # Public list and API filtered by status, newest first (/claims/?status=missed&page=50).
            models.Index(
                fields=["status", "-published_at", "-id"],
                condition=Q(published_at__isnull=False),
                name="claims_claim_pub_status_newest",
            ),
            # Admin claim list in its default order (deadline, then id) without a filter, and the
            # public list and API sorted by deadline (published claims are most of the table).
            models.Index(fields=["deadline_end", "id"], name="claims_claim_deadline_id"),
            # Public "recently resolved" list: published closed claims, latest outcome first
            # (a full scan of a million claims after every write without it). Claims without
            # an outcome date are left out rather than sorted NULLS LAST: SQLite cannot
            # write NULLS LAST in an index.
            models.Index(
                F("resolved_on").desc(),
                F("id").desc(),
                condition=Q(published_at__isnull=False, resolved_on__isnull=False, status__in=Status.closed_values()),
                name="claims_claim_pub_resolved",
            ),
            # Claimant page: a claimant's published claims by deadline.
            models.Index(
                fields=["claimant", "deadline_end", "id"],
                condition=Q(published_at__isnull=False),
                name="claims_claim_pub_claimant",
            ),
        ]

    def __str__(self):
        return self.statement if len(self.statement) <= 80 else self.statement[:79] + "…"

    def get_absolute_url(self):
        return reverse("claim-detail", kwargs={"slug": self.slug})

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    @property
    def is_open(self) -> bool:
        return self.status_enum.is_open

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.deadline_end is not None and self.deadline_end < newsroom_today()

    @property
    def days_left(self) -> int | None:
        """Days until deadline_end in the newsroom's zone; negative when overdue."""
        if self.deadline_end is None:
            return None
        return (self.deadline_end - newsroom_today()).days

    @property
    def has_target(self) -> bool:
        return bool(self.target_comparator) and self.target_value is not None

    @property
    def target_display(self) -> str:
        """'starting price < 20,000 EUR' (claims.formats.target)."""
        if not self.has_target:
            return ""
        return formats.target(self.target_comparator, self.target_value, self.target_unit, self.target_quantity)

    @property
    def target_met(self) -> bool | None:
        if not self.has_target or self.actual_value is None:
            return None
        return Comparator(self.target_comparator).holds(self.actual_value, self.target_value)

    def clean(self):
        errors = {}
        precision = Precision(self.deadline_precision)
        if precision.is_dated and self.deadline_end is None:
            errors["deadline_end"] = f"A deadline of precision “{precision.label}” needs an end date."
        if not precision.is_dated and (self.deadline_start or self.deadline_end):
            errors["deadline_precision"] = "A claim with deadline dates cannot have precision vague or none."
        if self.deadline_start and self.deadline_end and self.deadline_start > self.deadline_end:
            errors["deadline_start"] = "The deadline cannot start after it ends."
        if bool(self.target_comparator) != (self.target_value is not None):
            errors["target_value"] = "A target needs both a comparator and a value."
        if timeliness := timeliness_error(self.status, self.resolved_on, self.deadline_end):
            errors["status"] = timeliness
        errors.update(self._reply_errors())
        if errors:
            raise ValidationError(errors)

    def _reply_errors(self) -> dict:
        errors = {}
        replied = bool(self.reply_text or self.reply_on or self.reply_url)
        if (replied or self.no_reply_by) and self.reply_requested_on is None:
            errors["reply_requested_on"] = "Say when the claimant was asked for comment."
        if replied and self.no_reply_by:
            errors["no_reply_by"] = "The claimant replied: clear “no reply by”."
        asked = self.reply_requested_on
        for name in ("reply_on", "no_reply_by"):
            day = getattr(self, name)
            if asked and day and day < asked and name not in errors:
                errors[name] = f"This is before they were asked for comment ({asked:%Y-%m-%d})."
        return errors

    @property
    def status_definition(self) -> str:
        return STATUS_DEFINITIONS[self.status]

    @property
    def short_claim_reviewed(self) -> str:
        """ClaimReview's claimReviewed: the editors' short form, else the statement."""
        return self.claim_reviewed or self.statement


@functools.cache
def historical_claim_model():
    """The model of Claim's history rows, for queries by claim id.

    Every ``Claim.history`` or ``claim.history`` access builds a new manager class
    (django-simple-history's descriptor, by inspecting the model): a third of a
    millisecond that public pages need not pay. The model behind it never changes.
    """
    return Claim.history.model


pre_create_historical_record.connect(
    history.mark_public_event, sender=historical_claim_model(), dispatch_uid="history-mark-public-event"
)


def last_public_change():
    """When readers last saw a claim change, as an expression for querysets of claims.

    ``public_changed_at`` is set on every public write; rows written without the model's
    signals (a bulk load) fall back on their publication.
    """
    return Coalesce("public_changed_at", "published_at")


def timeliness_error(status: str, resolved_on: datetime.date | None, deadline_end: datetime.date | None) -> str:
    """The refusal message when "fulfilled" is dated after the deadline (it is "fulfilled late"),
    or "fulfilled late" on or before it (it is "fulfilled"); else ""."""
    if not (resolved_on and deadline_end):
        return ""  # no dated deadline or outcome: on time and late are not defined
    on, deadline = formats.newsroom_date(resolved_on), formats.newsroom_date(deadline_end)
    if status == Status.FULFILLED and resolved_on > deadline_end:
        return f"Fulfilled on {on}, after the deadline of {deadline}: use “Fulfilled late”."
    if status == Status.FULFILLED_LATE and resolved_on <= deadline_end:
        return f"Fulfilled on {on}, by the deadline of {deadline}: use “Fulfilled”."
    return ""


def outcome_date(status: str, resolved_on: datetime.date | None) -> datetime.date | None:
    """When a claim's outcome happened: as given, today by default when closed, none while open."""
    if Status(status).is_closed:
        return resolved_on or newsroom_today()
    return None


class Update(TrackedModel):
    """A dated entry on a claim's public timeline, optionally moving its status."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(default=newsroom_today, validators=[validate_sane_date])
    summary = models.TextField()
    url = models.URLField(max_length=500, blank=True)
    status = models.CharField(
        max_length=20, choices=Status, blank=True, help_text="The claim's new status, if this update changes it."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["claim", "date", "id"]
        indexes = [
            # Claim page timeline and feeds: a claim's updates by date.
            models.Index(fields=["claim", "date"], name="claims_update_claim_date"),
        ]

    def __str__(self):
        return f"{formats.newsroom_date(self.date)}: {self.summary[:60]}"

    def clean(self):
        # An update that closes the claim dates its outcome; the same rule as Claim.clean.
        if self.claim_id and self.status and self.date:
            if error := timeliness_error(self.status, self.date, self.claim.deadline_end):
                raise ValidationError({"status": error})


class Appearance(TrackedModel):
    """A further source in which a claim was repeated (the first one is Claim.source)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="appearances")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="appearances")
    quote = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["claim", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "source"], name="claims_appearance_once_per_source"),
        ]

    def __str__(self):
        return f"{self.claim} in {self.source}"


class Reminder(models.Model):
    """Outbox row for one reminder point of one claim to one recipient.

    Not history-tracked: it is machine state (claimed/sent/attempts), written only by
    claims.reminders, and its own columns are its audit trail. A row is *pending* until
    it is sent, skipped (a later point of the same claim went out instead) or cancelled
    (the claim closed, or the recipient can no longer be reminded). See
    claims/reminders/sweep.py for how a sweep claims and sends rows.
    """

    class Kind(models.TextChoices):
        UPCOMING = "upcoming", "Upcoming"
        DUE = "due", "Due today"
        OVERDUE = "overdue", "Overdue"

        @classmethod
        def for_offset(cls, offset_days: int) -> "Reminder.Kind":
            if offset_days < 0:
                return cls.UPCOMING
            return cls.DUE if offset_days == 0 else cls.OVERDUE

    class ReminderQuerySet(models.QuerySet):
        def pending(self):
            return self.filter(sent_at__isnull=True, skipped_at__isnull=True, cancelled_at__isnull=True)

        def due(self, now: datetime.datetime):
            return self.pending().filter(due_at__lte=now)

        def claimable(self, now: datetime.datetime, stale_before: datetime.datetime):
            """Due rows no sweep holds: never claimed, or claimed before stale_before and not finished."""
            return (
                self.due(now)
                .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale_before))
                .filter(Q(retry_after__isnull=True) | Q(retry_after__lte=now))
            )

        def live(self):
            """Rows that still count for their point: everything but cancelled ones."""
            return self.filter(cancelled_at__isnull=True)

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind)
    # Days from deadline_end to the point: -30 and -7 for upcoming, 0 for due, 7, 14, ... for overdue.
    offset_days = models.IntegerField()
    deadline_end = models.DateField(help_text="The deadline this point was computed for.")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    due_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Which sweep holds the claim: the conditional update that claims rows writes it, and the
    # sweep then reads back exactly the rows it won.
    claim_token = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    skipped_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0, help_text="How many times a sweep claimed it for sending.")
    retry_after = models.DateTimeField(null=True, blank=True, help_text="After a failed send: not before this time.")
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "offset_days", "deadline_end", "recipient"], name="claims_reminder_once_per_point"
            ),
        ]
        indexes = [
            # Used by the sweep: "due and not yet sent, skipped or cancelled", by due time.
            models.Index(
                fields=["due_at"],
                condition=Q(sent_at__isnull=True, skipped_at__isnull=True, cancelled_at__isnull=True),
                name="claims_reminder_pending_due",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.offset_days:+d} d) for {self.claim} to {self.recipient}"

    @property
    def state(self) -> str:
        """One word for the admin: where this row is in its life."""
        if self.sent_at:
            return "sent"
        if self.skipped_at:
            return "skipped"
        if self.cancelled_at:
            return "cancelled"
        if self.retry_after:
            return "retrying"
        return "claimed" if self.claimed_at else "pending"


class IntakeConfirmation(models.Model):
    """The one-time token of one intake review page (claims.intake.confirmation).

    Issued when the review page is rendered and spent, in the same transaction as the
    claims it keeps, by the first confirmation: a second submission of the same page
    (a double click, back and resubmit, two tabs) finds it spent and is answered with
    what the first one saved. Machine state, not an editorial record, so not tracked.
    """

    token = models.CharField(max_length=64, unique=True)
    issued_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)
    # The source the first confirmation saved into: where a repeated one is sent.
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self):
        return f"intake review of {self.issued_to} issued {self.issued_at:%Y-%m-%d %H:%M}"


# --- Readers: tips, followers and what they are sent (claims.readers) ------------------
#
# Machine and reader state, not editorial records, so none of it is history-tracked: the
# rows' own columns (and the admin's log) are its audit trail. Readers' addresses live in
# one table (Reader), so that erasing one on request removes it from everything at once.


def normalise_email(address: str) -> str:
    """How a reader's address is stored and compared: trimmed and in lower case.

    The local part is case-sensitive in theory and never in practice; comparing in lower
    case keeps "Ana@Example.org" and "ana@example.org" one reader with one set of follows.
    """
    return (address or "").strip().lower()


class Reader(models.Model):
    """A reader's email address, known because they followed something or left it with a tip.

    Nothing is sent to it but a confirmation until the reader confirms (each subscription,
    each tip, on its own). Erasing the reader (claims.readers.subscriptions.erase) deletes
    this row, and with it every subscription and message; tips keep their text without it.
    """

    email = models.EmailField(max_length=254, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"reader #{self.pk}"


class Subscription(models.Model):
    """A reader follows one claim, one claimant, or everything; by email, once confirmed."""

    class Target(models.TextChoices):
        CLAIM = "claim", "A claim"
        CLAIMANT = "claimant", "A claimant"
        EVERYTHING = "everything", "Everything"

    reader = models.ForeignKey(Reader, on_delete=models.CASCADE, related_name="subscriptions")
    target = models.CharField(max_length=10, choices=Target)
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    claimant = models.ForeignKey(Claimant, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the reader opens the confirmation link and confirms: nothing is sent before.
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reader", "claim"], condition=Q(claim__isnull=False), name="claims_subscription_one_per_claim"
            ),
            models.UniqueConstraint(
                fields=["reader", "claimant"],
                condition=Q(claimant__isnull=False),
                name="claims_subscription_one_per_claimant",
            ),
            models.UniqueConstraint(
                fields=["reader"], condition=Q(target="everything"), name="claims_subscription_one_to_everything"
            ),
            models.CheckConstraint(
                condition=Q(target="claim", claim__isnull=False, claimant__isnull=True)
                | Q(target="claimant", claim__isnull=True, claimant__isnull=False)
                | Q(target="everything", claim__isnull=True, claimant__isnull=True),
                name="claims_subscription_target_matches",
            ),
        ]
        indexes = [
            # The followers' sweep: the confirmed followers of the claims and claimants of a batch of events.
            models.Index(fields=["claim"], condition=Q(confirmed_at__isnull=False), name="claims_subscr_claim_conf"),
            models.Index(
                fields=["claimant"], condition=Q(confirmed_at__isnull=False), name="claims_subscr_claimant_conf"
            ),
        ]

    def __str__(self):
        if self.target == self.Target.CLAIM:
            return f"claim {self.claim_id}"
        if self.target == self.Target.CLAIMANT:
            return f"claimant {self.claimant_id}"
        return "everything"


class ReaderTip(models.Model):
    """A claim a reader suggested we track (the public /suggest/ page), waiting in the desk's inbox."""

    class State(models.TextChoices):
        NEW = "new", "New"
        ACCEPTED = "accepted", "Taken in (claims made from it)"
        DUPLICATE = "duplicate", "Duplicate of a claim"
        DISMISSED = "dismissed", "Dismissed"

    statement = models.TextField(help_text="What was claimed, as the reader wrote it.")
    claimant = models.CharField(max_length=200, help_text="Who made the claim, as the reader wrote it.")
    url = models.URLField(max_length=500, blank=True, help_text="Where it was claimed.")
    # The tipster's address, when they left one; erased with the reader.
    reader = models.ForeignKey(Reader, null=True, blank=True, on_delete=models.SET_NULL, related_name="tips")
    # Set when the tipster confirmed their address: then, and only then, they are told
    # (once) when a claim made from the tip is published.
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State, default=State.NEW)
    duplicate_of = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The claims intake made from the tip (claims.intake links them when the editor confirms).
    claims = models.ManyToManyField(Claim, blank=True, related_name="reader_tips")
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "reader tip"
        indexes = [
            # The desk's inbox: new tips first (and their count on the admin's index).
            models.Index(fields=["state", "-created_at"], name="claims_readertip_inbox"),
        ]

    def __str__(self):
        return f"Tip {self.pk}: {self.claimant}"


class ReaderEvent(models.Model):
    """One change readers were shown, to be told to those who follow it (claims.readers.digests).

    Written in the writer's own transaction when a history row of a claim is marked as a
    public event (claims.history: published, status, correction), so it commits with the
    change, exactly once; "overdue" ones are written by the followers' sweep when an open,
    published claim's deadline passes. The sweep then fans each event out to the followers
    of its claim, its claimant and of everything (``fanned_out_at``).
    """

    class Kind(models.TextChoices):
        PUBLISHED = "published", "Published"
        STATUS = "status", "Status changed"
        CORRECTION = "correction", "Corrected"
        OVERDUE = "overdue", "Deadline passed"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind)
    # The history row of the change (none for overdue): one event per row, whatever happens.
    history_id = models.BigIntegerField(null=True, blank=True, unique=True)
    # The row's status and the one before it, and a correction's public explanation.
    status = models.CharField(max_length=20, choices=Status, blank=True)
    previous_status = models.CharField(max_length=20, choices=Status, blank=True)
    correction = models.TextField(blank=True)
    # The deadline that passed, for overdue events.
    deadline_end = models.DateField(null=True, blank=True)
    happened_at = models.DateTimeField()
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["happened_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "deadline_end"], condition=Q(kind="overdue"), name="claims_readerevent_overdue_once"
            ),
        ]
        indexes = [
            # The followers' sweep: events not yet fanned out, oldest first.
            models.Index(fields=["id"], condition=Q(fanned_out_at__isnull=True), name="claims_readerevent_unfanned"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of claim {self.claim_id}"


class ReaderMessage(models.Model):
    """Outbox row: one thing to tell one reader (claims.readers.digests sends them, AT LEAST ONCE).

    A confirmation (of a follow or of a tip's address), the news that a claim from their
    tip is published, or one change in their next digest (all of a reader's changes that a
    sweep claims go out as one email). Claimed, sent and retried like the editors'
    reminders (claims/reminders/sweep.py).
    """

    class Kind(models.TextChoices):
        CONFIRM_FOLLOW = "confirm_follow", "Confirm a follow"
        CONFIRM_TIP = "confirm_tip", "Confirm a tipster's address"
        CHANGE = "change", "A change, in a digest"
        TIP_PUBLISHED = "tip_published", "A claim from their tip is published"

    class ReaderMessageQuerySet(models.QuerySet):
        def pending(self):
            return self.filter(sent_at__isnull=True, cancelled_at__isnull=True)

        def claimable(self, now: datetime.datetime, stale_before: datetime.datetime):
            """Due rows no sweep holds: never claimed, or claimed before stale_before and not finished."""
            return (
                self.pending()
                .filter(due_at__lte=now)
                .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale_before))
                .filter(Q(retry_after__isnull=True) | Q(retry_after__lte=now))
            )

    reader = models.ForeignKey(Reader, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=14, choices=Kind)
    subscription = models.ForeignKey(Subscription, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    tip = models.ForeignKey(ReaderTip, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(ReaderEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    retry_after = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReaderMessageQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reader", "event"], condition=Q(event__isnull=False), name="claims_readermessage_once_per_event"
            ),
            models.UniqueConstraint(
                # Told once: a notice cancelled before it went out (the claim taken down) leaves room for another.
                fields=["tip"],
                condition=Q(kind="tip_published", cancelled_at__isnull=True),
                name="claims_readermessage_tip_told_once",
            ),
        ]
        indexes = [
            # The followers' sweep: "due and not yet sent or cancelled", by due time.
            models.Index(
                fields=["due_at"],
                condition=Q(sent_at__isnull=True, cancelled_at__isnull=True),
                name="claims_readermessage_pending",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to reader #{self.reader_id}"

    @property
    def state(self) -> str:
        if self.sent_at:
            return "sent"
        if self.cancelled_at:
            return "cancelled"
        if self.retry_after:
            return "retrying"
        return "claimed" if self.claimed_at else "pending"


# --- The two-person rule (claims.review) ------------------------------------------------


class Review(models.Model):
    """A change readers would see, waiting for a second pair of eyes (claims.review).

    Publishing a claim, and giving a published claim an outcome or changing it, are asked
    for here (``changes``: ``publish``, ``status``, ``resolved_on``, ``verdict``) and
    applied only when REVIEW_APPROVALS chief editors other than the submitter approve,
    as one history entry of the claim naming them all. A returned review changes nothing.
    Not history-tracked itself: its decisions (ReviewDecision) are its audit trail, and
    what it changed is in the claim's history.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Awaiting review"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="reviews")
    changes = models.JSONField(help_text="The proposed changes: publish, status, resolved_on (ISO date), verdict.")
    reason = models.TextField(help_text="The submitter's reason, kept in the claim's history with the change.")
    submitter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    # The claim as the request was made: approval is refused if readers' fields changed since.
    base_version = models.IntegerField()
    base_public_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Last listed in the chief editors' reminder digests (claims.reminders.reviews).
    reminded_at = models.DateTimeField(null=True, blank=True)
    # The sweep that listed it last: it reads back exactly the reviews it claimed.
    remind_token = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open question per claim: a second request (a double click, another editor)
            # is refused until the first is decided.
            models.UniqueConstraint(fields=["claim"], condition=Q(state="pending"), name="claims_review_one_pending"),
        ]
        indexes = [
            # The "Awaiting review" list and its counts, oldest first, and the reminder digests.
            models.Index(fields=["created_at"], condition=Q(state="pending"), name="claims_review_pending"),
        ]

    def __str__(self):
        return f"Review {self.pk} of “{self.claim}”"

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING


class ReviewDecision(models.Model):
    """One reviewer's approval or return of a review, with their comment and when."""

    class Decision(models.TextChoices):
        APPROVE = "approve", "Approved"
        RETURN = "return", "Returned"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="decisions")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision)
    comment = models.TextField(blank=True)
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "reviewer"], name="claims_reviewdecision_once_per_reviewer"),
        ]

    def __str__(self):
        return f"{self.get_decision_display()} by {self.reviewer}"


# --- The methodology page's own text (/methodology/) --------------------------------------


class MethodologyText(TrackedModel):
    """The newsroom's own words on the methodology page; one row (id 1), edited in the admin with history.

    The rest of the page (the statuses, deadlines, targets, the review rule) is written
    from the code that applies it, so it cannot drift from what the desk does.
    """

    SINGLETON_ID = 1

    introduction = models.TextField(blank=True, help_text="Who we are and why we track claims. Plain text.")
    corrections_policy = models.TextField(blank=True, help_text="How we correct mistakes. Plain text.")
    contact = models.TextField(blank=True, help_text="How readers and claimants reach the desk. Plain text.")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "methodology text"
        verbose_name_plural = "methodology text"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="claims_methodologytext_singleton")]

    def __str__(self):
        return "Methodology page text"


# Partners' webhooks (claims.webhooks): defined in their package, registered with this app here.
from claims.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent  # noqa: E402, F401

"""The desk's home page: what waits for the editors, counted, each one click from its list.

The admin's index (templates/admin/index.html) shows the entries desk_entries() returns,
in order: a label, a count (one indexed COUNT each), the list it opens filtered to
exactly what was counted, and a line saying what it is.

To add an entry, add one line to desk_entries(), as "Awaiting review" was:

    entry("awaiting-review", "Awaiting review", Review.objects.filter(state=Review.State.PENDING),
          changelist("claims_review"), "Publications and outcomes waiting for a second chief editor",
          permission="claims.change_claim", unit="waiting"),

The queryset is counted only for a user with ``permission``; the url must open the list
filtered the same way (a list filter with that parameter), so the number and the list
agree. The index's query count is pinned (tests/test_desk_index.py): one entry adds one query.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from claims.models import Claim, ReaderTip, Review, newsroom_today


@dataclass(frozen=True)
class DeskEntry:
    key: str  # the row's id in the page, for tests and for styling
    label: str
    count: int | None  # None: a link with nothing to count
    url: str
    help: str
    unit: str = ""  # after the count: "2 new"


def changelist(url_name: str, **filters) -> str:
    """The admin list ``admin:<url_name>_changelist`` with these filters in its query string."""
    url = reverse(f"admin:{url_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def desk_entries(request) -> list[DeskEntry]:
    """The desk's entries for this user, most pressing first (one COUNT each, none for a link).

    An entry the user may not see (no ``permission``) is left out, and costs no query.
    """
    user = request.user
    today = newsroom_today()
    claims = Claim.objects.all()

    def entry(key, label, queryset, url, help, *, permission="claims.view_claim", unit=""):
        if not user.has_perm(permission):
            return None
        return DeskEntry(key, label, None if queryset is None else queryset.count(), url, help, unit)

    entries = [
        entry("desk-overdue", "Overdue", claims.overdue(today), changelist("claims_claim", deadline="overdue"),
              "Open claims whose deadline has passed"),
        entry("desk-due-7", "Due in 7 days", claims.due_within(7, today), changelist("claims_claim", deadline="7"),
              "Open claims due from today to a week from today"),
        entry("desk-mine", "Mine", claims.open().filter(assignee=user),
              changelist("claims_claim", assignee="mine", state="open"), "Open claims assigned to you"),
        entry("desk-drafts", "Drafts", claims.drafts(), changelist("claims_claim", published="no"),
              "Claims not yet published"),
        entry("awaiting-review", "Awaiting review", Review.objects.filter(state=Review.State.PENDING),
              changelist("claims_review"), "Publications and outcomes waiting for a second chief editor",
              permission="claims.change_claim", unit="waiting"),
        entry("new-tips", "Reader tips", ReaderTip.objects.filter(state=ReaderTip.State.NEW),
              changelist("claims_readertip", state__exact=ReaderTip.State.NEW),
              "Claims readers suggested: send one to intake, mark it a duplicate, or dismiss it",
              permission="claims.view_readertip", unit="new"),
        entry("desk-due-soon", "Due soon", None, reverse("admin:claims_claim_due_soon"),
              "Overdue claims and claims due in the next 30 days, yours first"),
        entry("desk-intake", "Intake", None, _intake_url(), "Turn an article into candidate claims",
              permission="claims.add_claim"),
    ]  # fmt: skip
    return [e for e in entries if e is not None and e.url]


def _intake_url() -> str:
    try:
        return reverse("intake:start")
    except NoReverseMatch:
        return ""

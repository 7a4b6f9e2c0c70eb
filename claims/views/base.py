"""What every public page shares: the published claims, and pages without a COUNT(*)."""

import contextlib
import datetime
import functools
import re
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import quote

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import OuterRef, Subquery
from django.db.models.query import ValuesListIterable
from django.http import Http404
from django.urls import get_script_prefix, reverse
from psycopg.errors import QueryCanceled

from claims import compiled
from claims.models import Claim

MAX_PAGE = 1000
# From this many rows in, a page's rows are found by their ids first (see page_of).
DEFERRED_JOIN_OFFSET = 100


def of_published_claim(field: str):
    """A field of the claim a history row is of, as readers see it now; NULL unless the claim is published now.

    For lists of public events (the feed, the corrections log): an event tells its moment,
    but in the claim's words of now, and goes with the claim when it is taken down. One
    row found by its key (the model's default ordering dropped).
    """
    return Subquery(Claim.objects.published().filter(pk=OuterRef("id")).order_by().values(field)[:1])


def public_claims():
    """Published claims with the claimant and source a page shows, never the internal fields.

    ``notes``, the assignee and the source's article text are not even read: a template
    that asked for them would cost a query, which the pinned query counts would catch.
    """
    return Claim.objects.published().select_related("claimant", "source").defer("notes", "assignee", "source__body")


class ListedClaim(NamedTuple):
    """What a list row shows (claims.templatetags.public.claim_item): nothing else is read."""

    slug: str
    statement: str
    status: str
    deadline_text: str
    deadline_end: datetime.date | None
    deadline_precision: str
    resolved_on: datetime.date | None
    claimant_slug: str
    claimant_name: str


LISTED_FIELDS = (
    "slug", "statement", "status", "deadline_text", "deadline_end", "deadline_precision", "resolved_on",
    "claimant__slug", "claimant__name",
)  # fmt: skip


class _ListedClaimRows(ValuesListIterable):
    def __iter__(self):
        return map(ListedClaim._make, super().__iter__())


def listed(claims):
    """A queryset of claims as ListedClaim rows: only the columns a list shows, and no model instances.

    A page lists 25 to 50 claims; building a Claim and a Claimant for each (with their
    signals) cost more than reading the rows. The rows are plain tuples with names, made
    by values_list's own iterator (Django's ``_iterable_class`` hook, as ``values_list(named=True)``
    uses), so the queryset still filters, orders and slices like any other.
    """
    queryset = claims.values_list(*LISTED_FIELDS)
    queryset._iterable_class = _ListedClaimRows
    return queryset


def listed_claims():
    """Published claims as ListedClaim rows (see ``listed``)."""
    return listed(Claim.objects.published())


@functools.lru_cache(maxsize=16)
def _path_around_slug(url_name: str, script_prefix: str) -> tuple[str, str]:
    head, tail = reverse(url_name, kwargs={"slug": "slug-placeholder"}).split("slug-placeholder")
    return head, tail


def slug_path(url_name: str, slug: str) -> str:
    """reverse(url_name, kwargs={"slug": slug}) for the public detail URLs, without resolving each time.

    Lists build dozens of these per response; reverse() walks the URL patterns every call.
    The slug is percent-encoded as reverse() would (slugs need none, but bulk-written rows are not validated).
    """
    head, tail = _path_around_slug(url_name, get_script_prefix())
    return f"{head}{quote(slug, safe='')}{tail}"


def absolute(path: str) -> str:
    """The full address of a site path, on the canonical host (SITE_URL) whatever host was asked."""
    return settings.SITE_URL + path


class BadPage(ValueError):
    """The ``page`` parameter is not a page number we serve; the message says why."""


@dataclass
class Page:
    number: int
    items: list
    has_next: bool
    per_page: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.items) - 1


# A page number as the site writes it: no sign, no leading zero, no spaces, ASCII digits only.
# int() also takes "01", "+1", " 1" and "١": each would be a page of its own in the page
# cache, so any page could be made afresh under endless spellings of its number.
_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")


def page_number(raw: str | None) -> int:
    if raw in (None, ""):
        return 1
    if raw == "0" or raw.startswith("-") and raw[1:].isdecimal():
        raise BadPage("Pages are numbered from 1.")
    if not _PAGE_NUMBER.fullmatch(raw):
        raise BadPage(f"“{raw[:20]}” is not a page number; pages are numbered from 1, written as 1, 2, 3…")
    number = int(raw)
    if number > MAX_PAGE:
        raise BadPage(f"Pages beyond {MAX_PAGE} are not served; narrow the list with the filters instead.")
    return number


def page_of(queryset, raw_number: str | None, per_page: int, *, rows=listed, compiled_as: tuple | None = None) -> Page:
    """One page of ``rows(queryset)``, read with a single LIMIT query (one row more tells if a next page exists).

    ``queryset`` is of claims (filtered and ordered), or a function that builds it when it
    is needed; ``rows`` turns it into what the page shows, ListedClaim rows by default.

    A page past the end answers 404, as Django's paginator does; the first page may be empty.

    Deep pages are read as a "deferred join": the ids of the page are found first, in a
    subquery that reads only the index its order follows, and only those rows are joined
    with their claimants. A plain OFFSET joined every row it skipped: page 50 of a status
    joined 1,250 claims with their claimants to show 26 (8 ms of 9 at a million claims).

    ``compiled_as`` (name, key), for ListedClaim rows only: the page's SQL is compiled once
    per connection for ``key`` and the page (claims.compiled), so ``key`` must say
    everything the queryset's SQL depends on.
    """
    number = page_number(raw_number)
    offset = (number - 1) * per_page
    deferred = offset >= DEFERRED_JOIN_OFFSET

    def page_rows():
        claims = queryset() if callable(queryset) else queryset
        if not deferred:
            return rows(claims)[offset : offset + per_page + 1]
        ids = claims.values_list("pk", flat=True)[offset : offset + per_page + 1]
        return rows(claims.filter(pk__in=ids))

    if compiled_as is None:
        found = list(page_rows())
    else:
        name, key = compiled_as
        found = list(map(ListedClaim._make, compiled.rows(name, (key, offset, per_page, deferred), page_rows)))
    if number > 1 and not found:
        raise Http404("There is no such page.")
    return Page(number=number, items=found[:per_page], has_next=len(found) > per_page, per_page=per_page)


class SearchTooSlow(Exception):
    """A search ran past PUBLIC_SEARCH_TIMEOUT_MS and was stopped; the message tells the reader what to do."""

    def __init__(self):
        super().__init__(
            "This search took too long and was stopped. Use fewer or rarer words, or narrow it with the other filters."
        )


@contextlib.contextmanager
def search_time_limit():
    """Stop the queries run inside after settings.PUBLIC_SEARCH_TIMEOUT_MS (PostgreSQL), raising SearchTooSlow.

    The limit is set for the block's own transaction (``set_config(..., true)``) and ends
    with it: it never reaches other queries of the connection. SQLite has no such limit.
    """
    limit = settings.PUBLIC_SEARCH_TIMEOUT_MS
    if connection.vendor != "postgresql" or not limit:
        yield
        return
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # Inside a caller's transaction the block is a savepoint, whose release would keep
            # the setting until that transaction ends: it is put back as it was.
            cursor.execute(
                "SELECT current_setting('statement_timeout'), set_config('statement_timeout', %s, true)", [str(limit)]
            )
            previous = cursor.fetchone()[0]
            yield
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
    except OperationalError as error:
        if isinstance(error.__cause__, QueryCanceled):
            raise SearchTooSlow() from error
        raise

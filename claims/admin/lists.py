"""The claim list's filters and paginator, built to stay fast on a million rows.

No full-table count, filters backed by indexes (see Claim.Meta.indexes).
"""

import datetime

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import F, OrderBy
from django.utils.functional import cached_property

from claims.models import Claimant, newsroom_today


class LargeTablePaginator(Paginator):
    """Counts exactly only when cheap: a list the planner expects to be huge uses its estimate.

    On PostgreSQL the planner's row estimate (EXPLAIN, no execution) replaces COUNT(*)
    when it is above ESTIMATE_ABOVE: counting 290,000 "not yet rated" claims of a million
    cost 25-40 ms on every page load, and nobody pages that far by number.
    """

    ESTIMATE_ABOVE = 100_000

    @cached_property
    def count(self):
        queryset = self.object_list
        connection = connections[queryset.db]
        if connection.vendor == "postgresql":
            sql, params = queryset.order_by().values("pk").query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
                estimate = int(cursor.fetchone()[0][0]["Plan"]["Plan Rows"])
            if estimate > self.ESTIMATE_ABOVE:
                return estimate
        return super().count


class DeadlineWindowFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("7", "Next 7 days"),
            ("30", "Next 30 days"),
            ("90", "Next 90 days"),
            ("later", "Later"),
            ("none", "No date"),
        ]

    def queryset(self, request, queryset):
        today = newsroom_today()
        match self.value():
            case "overdue":
                return queryset.overdue(today)
            case "7" | "30" | "90":
                return queryset.due_within(int(self.value()), today)
            case "later":
                return queryset.filter(deadline_end__gt=today + datetime.timedelta(days=90))
            case "none":
                return queryset.filter(deadline_end__isnull=True)
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = "assignee"
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        from django.contrib.auth import get_user_model

        staff = get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")
        return [("mine", "Mine"), ("none", "Unassigned")] + [(str(u.pk), u.get_username()) for u in staff]

    def queryset(self, request, queryset):
        match self.value():
            case None:
                return queryset
            case "mine":
                return queryset.filter(assignee=request.user)
            case "none":
                return queryset.filter(assignee__isnull=True)
            case value if value.isdigit():
                return queryset.filter(assignee_id=int(value))
        return queryset


class ClaimantFilter(admin.SimpleListFilter):
    """Lists every claimant while there are few; past that, only the chosen one.

    A register with tens of thousands of claimants cannot list them all in the sidebar;
    editors then filter by clicking a claimant's name in the list (or search by name).
    """

    title = "claimant"
    parameter_name = "claimant"
    LIST_AT_MOST = 50

    def lookups(self, request, model_admin):
        claimants = list(Claimant.objects.order_by("name").values_list("pk", "name")[: self.LIST_AT_MOST + 1])
        if len(claimants) <= self.LIST_AT_MOST:
            return [(str(pk), name) for pk, name in claimants]
        chosen = self.value()
        if chosen and chosen.isdigit():
            return [(str(pk), name) for pk, name in Claimant.objects.filter(pk=int(chosen)).values_list("pk", "name")]
        return []

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(claimant_id=int(value))


class PublishedFilter(admin.SimpleListFilter):
    title = "publication"
    parameter_name = "published"

    def lookups(self, request, model_admin):
        return [("yes", "Published"), ("no", "Draft")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.published()
        if self.value() == "no":
            return queryset.drafts()
        return queryset


class OpenFilter(admin.SimpleListFilter):
    """Open (still to be decided) or closed claims: the desk's "Mine" counts the open ones."""

    title = "open or closed"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("closed", "Closed")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.open()
        if self.value() == "closed":
            return queryset.closed()
        return queryset


def undated_last(ordering):
    """An ordering on the deadline with the undated claims after the dated ones, whichever way it sorts.

    PostgreSQL puts NULLs last ascending but first descending, SQLite first ascending: a
    list sorted by deadline opened with the claims nobody dated.
    """
    if isinstance(ordering, str) and ordering.lstrip("-") == "deadline_end":
        return (
            F("deadline_end").desc(nulls_last=True)
            if ordering.startswith("-")
            else F("deadline_end").asc(nulls_last=True)
        )
    if isinstance(ordering, OrderBy) and isinstance(ordering.expression, F):
        if ordering.expression.name == "deadline_end":
            return OrderBy(F("deadline_end"), descending=ordering.descending, nulls_last=True)
    return ordering


class DeadlineOrderedChangeList(ChangeList):
    """The claim list, with undated claims last in every ordering by deadline (undated_last)."""

    def get_ordering(self, request, queryset):
        return [undated_last(field) for field in super().get_ordering(request, queryset)]

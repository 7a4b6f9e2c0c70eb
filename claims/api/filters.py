"""Filters and sorts shared by the claim list page and the API, so both take the same parameters.

status     a status value, or "open" / "closed"
claimant   a claimant's slug
year       the year of the deadline (its end date)
overdue    "true"/"1": open claims past their deadline
q          words searched in the statement, the quote and the claimant's name
sort       "newest" (default, by publication), "deadline" (soonest first) or "-deadline"
"""

import copy
import functools

import django_filters
from django import forms
from django.db.models import F
from django.http import QueryDict
from django_filters.widgets import BooleanWidget

from claims.models import EARLIEST_DATE, LATEST_DATE, Status, newsroom_today

STATUS_GROUPS = [("open", "Open (any)"), ("closed", "Closed (any)")]
SORTS = {
    "newest": ("Newest first", [F("published_at").desc(), F("id").desc()]),
    "deadline": ("Deadline, soonest first", [F("deadline_end").asc(nulls_last=True), F("id").asc()]),
    "-deadline": ("Deadline, latest first", [F("deadline_end").desc(nulls_last=True), F("id").desc()]),
}
DEFAULT_SORT = "newest"
MAX_SEARCH_WORDS = 8


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


def _shared(field: forms.Field) -> forms.Field:
    """A form field that every form of the class uses as it is, instead of a deep copy of its own.

    Django's Form.__init__ deep-copies its fields (with their widgets and choices) so that a
    form may change its own; these forms never do (the list page writes its HTML by hand),
    and the copies were a tenth of the list page's Python time. ``copy.deepcopy`` asks the
    object itself for ``__deepcopy__``, so the field answers with itself.
    """
    field.__deepcopy__ = lambda memo: field
    return field


class ClaimFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=STATUS_GROUPS + list(Status.choices), method="filter_status", label="Status"
    )
    claimant = django_filters.CharFilter(field_name="claimant__slug", label="Claimant", max_length=200)
    year = YearFilter(
        method="filter_year",
        label="Deadline year",
        min_value=EARLIEST_DATE.year,
        max_value=LATEST_DATE.year,
        help_text="e.g. 2026",
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Overdue only", widget=BooleanWidget)
    q = django_filters.CharFilter(method="filter_search", label="Search", max_length=200)
    sort = django_filters.ChoiceFilter(
        choices=[(key, label) for key, (label, _) in SORTS.items()],
        method="sort_by",
        label="Sort",
        empty_label=None,
    )

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # As django_filters.FilterSet.__init__, but with a shallow copy of each filter where
        # it deep-copies them (with their choices and fields) on every request, which was a
        # fifth of the list page's time. Nothing here changes a filter after the class is made.
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset if queryset is not None else self._meta.model._default_manager.all()
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: copy.copy(filter_) for name, filter_ in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model = self.queryset.model
            filter_.parent = self
            if filter_.method is not None:
                filter_.method = filter_.method  # binds a FilterMethod to this copy, not to the class's filter

    @classmethod
    def _form_class(cls):
        # The form class depends on the filters only, which are fixed: build it once per class.
        if "_built_form_class" not in cls.__dict__:
            fields = {name: _shared(filter_.field) for name, filter_ in cls.base_filters.items()}
            cls._built_form_class = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
        return cls._built_form_class

    def get_form_class(self):
        return self._form_class()

    @property
    def form(self):
        # The bound form, validated once per process for each set of values given to the
        # filters (see _validated_form); other data (a plain dict, a prefix) as django-filter has it.
        if not hasattr(self, "_form"):
            if isinstance(self.data, QueryDict) and self.is_bound and not self.form_prefix:
                asked = tuple((name, tuple(self.data.getlist(name))) for name in self.base_filters if name in self.data)
                self._form = _validated_form(type(self), asked)
            else:
                self._form = django_filters.FilterSet.form.fget(self)
        return self._form

    def filter_status(self, queryset, name, value):
        if value == "open":
            return queryset.open()
        if value == "closed":
            return queryset.closed()
        return queryset.filter(status=value)

    def filter_year(self, queryset, name, value):
        return queryset.filter(deadline_end__year=value)

    def filter_overdue(self, queryset, name, value):
        if value:
            return queryset.overdue(newsroom_today())
        return queryset

    def filter_search(self, queryset, name, value):
        # Every word must appear somewhere (see ClaimQuerySet.mentioning for the query's shape).
        for word in value.split()[:MAX_SEARCH_WORDS]:
            queryset = queryset.mentioning(word)
        return queryset

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*SORTS[value][1])

    @property
    def qs(self):
        # The default sort applies when none is asked for (a filter method runs only for given values).
        queryset = super().qs
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by(*SORTS[DEFAULT_SORT][1])
        return queryset

    def compiled_key(self) -> tuple | None:
        """All that the SQL of ``qs`` depends on, to compile it once (claims.compiled); None for a search.

        A search's SQL holds the ids of the claimants whose names match, read while it is built.
        """
        data = self.form.cleaned_data
        if data.get("q"):
            return None
        key = tuple(sorted((name, value) for name, value in data.items() if value not in (None, "")))
        if data.get("overdue"):
            key += (("today", newsroom_today()),)
        return key

    def only_status_filtered(self) -> bool:
        """True when the result is "all claims" or "claims with one status": its size is known from counts."""
        data = self.form.cleaned_data
        return not any(data.get(name) for name in ("claimant", "year", "overdue", "q"))


@functools.lru_cache(maxsize=512)
def _validated_form(filterset_class: type[ClaimFilter], asked: tuple) -> forms.Form:
    """The filters' form bound to ``asked`` ((name, values) of the filters' parameters), validated.

    What a form cleans depends on these values alone, and nothing changes a form once it is
    validated: requests that ask the same (most ask for nothing, or for one status) share
    one, instead of validating a new form each time (a twentieth of the list page's time).
    Bound to a copy of the values only, so a shared form holds nothing else of any request.
    """
    data = QueryDict(mutable=True)
    for name, values in asked:
        data.setlist(name, list(values))
    form = filterset_class._form_class()(data)
    form.is_valid()
    return form

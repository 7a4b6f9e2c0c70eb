"""Optimistic versions of tracked rows: no write silently overwrites another.

Every tracked row (claims.models.TrackedModel) carries a ``version``, 1 when created and
one more on each write. A writer says which version its change was made from (a form
carries the version it was opened at; a service caller passes ``expected_version``, or
the version the object was loaded with), and ``TrackedModel.save`` locks the row and
refuses the write with ``StaleEdit`` when the row has moved on since. Nothing is written
then; the writer is told who changed what meanwhile (``changes_since``, read from the
history, where each row records the version it wrote) and can apply its change again.

Why by hand: django-concurrency does the conditional write, but not the part editors
need (who changed which field since the version they opened, from simple-history's rows),
nor a check that every path, not only its admin mixin, goes through; the write itself is
a ``SELECT ... FOR UPDATE`` and a compare, a few lines in the model's save.

This module belongs to the register and imports nothing of claims.models (which imports
it): functions take the model class.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models

from claims import formats


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class Change:
    """One write to a row after a given version, as the history recorded it."""

    version: int
    when: datetime.datetime
    user: str
    reason: str
    kind: str  # "changed", "deleted"
    fields: list[FieldChange] = field(default_factory=list)


class StaleEdit(ValidationError):
    """A write made from a version the row has moved on from (or a row deleted meanwhile); nothing was written."""

    def __init__(self, obj, expected: int, current: int | None):
        self.model, self.pk, self.expected, self.current = type(obj), obj.pk, expected, current
        name = obj._meta.verbose_name
        if current is None:
            message = f"This {name} was deleted by someone else since you opened it; nothing was saved."
        else:
            who = ", ".join(dict.fromkeys(change.user for change in self.changes())) or "someone else"
            message = (
                f"This {name} was changed by {who} since you opened it (version {expected}, now {current}); "
                "nothing was saved. Look at what changed, then apply your change again."
            )
        super().__init__(message, code="stale")

    def changes(self) -> list[Change]:
        return changes_since(self.model, self.pk, self.expected)


def _user(row) -> str:
    user = row.history_user
    if user is None:
        return "someone (no account recorded)"
    return user.get_full_name() or user.get_username()


def shown_value(model, name: str, value, *, empty: str = "(empty)", limit: int | None = 300) -> str:
    """A value as an editor reads it: choice labels, names of related rows, dates written out."""
    if value is None or value == "":
        return empty
    try:
        model_field = model._meta.get_field(name)
    except Exception:  # a field of the history row only
        return str(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        related = model_field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value} (deleted)"
    if isinstance(model_field, models.BooleanField):
        return "yes" if value else "no"
    if isinstance(model_field, models.DateTimeField):
        return formats.newsroom_datetime(value)
    if isinstance(model_field, models.DateField):
        return formats.newsroom_date(value)
    if isinstance(model_field, models.DecimalField):
        return formats.number(value)
    text = str(value)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def changes_since(model, pk, version: int) -> list[Change]:
    """The writes to the row ``pk`` after ``version``, oldest first, each with the fields it changed."""
    rows = list(model.history.filter(id=pk, version__gte=version).select_related("history_user").order_by("history_id"))
    base = next((row for row in reversed(rows) if row.version == version), None)
    later = [row for row in rows if row.version > version or row.history_type == "-"]
    result = []
    previous = base
    for row in later:
        change = Change(
            version=row.version,
            when=row.history_date,
            user=_user(row),
            reason=row.history_change_reason or "",
            kind="deleted" if row.history_type == "-" else "changed",
        )
        if previous is not None and row.history_type != "-":
            delta = row.diff_against(previous, excluded_fields=["version"], foreign_keys_are_objs=False)
            for difference in delta.changes:
                label = str(model._meta.get_field(difference.field).verbose_name).capitalize()
                before = shown_value(model, difference.field, difference.old)
                after = shown_value(model, difference.field, difference.new)
                change.fields.append(FieldChange(label, before, after))
        result.append(change)
        previous = row
    return result

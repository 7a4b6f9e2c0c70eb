"""The desk's forms: each carries the version it was opened at, and the reason kept in the history.

A form opened at an older version than the row has now is refused (claims.versions): the
editor sees who changed what since, field by field, and keeps what they typed. Fields
they did not touch are shown again with the values the row has now, so saving once more
writes their own changes over the current row, never the old values of fields someone
else changed meanwhile.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

from claims import review as review_rule
from claims.models import Claim, Status, outcome_date
from claims.versions import changes_since

STALE = (
    "Someone else changed this {name} since you opened it; nothing was saved. What they changed is listed "
    "above the form. Your own changes are kept below, and the fields you did not touch now show the current "
    "values: check them, then save again."
)
STALE_SAME_FIELDS = " You and they both changed: {fields}."


class VersionedForm(forms.ModelForm):
    """A model form that carries the row's version (hidden) and refuses to save over a newer one.

    The admin loads the row locked for the POST (claims.admin.tracked), so the version
    compared here is the row's until the save commits.
    """

    # Not "version": a form field may not share its name with a non-editable model field.
    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["opened_version"].initial = self.instance.version
        self.conflict = []  # claims.versions.Change, when refused as stale
        self._current_values = {}

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None or self.instance._state.adding:
            return cleaned  # a new row: nobody else can have changed it
        opened = cleaned.get("opened_version")
        if opened is None:
            raise ValidationError(
                "This form was sent without the version it was opened at (an old page, or a script): "
                "reload the page and make your change again.",
                code="no_version",
            )
        if opened != self.instance.version:
            self._refuse_stale(opened)
        return cleaned

    def _refuse_stale(self, opened: int) -> None:
        model = type(self.instance)
        self.conflict = changes_since(model, self.instance.pk, opened)
        base = model.history.filter(id=self.instance.pk, version=opened).order_by("-history_id").first()
        # The values as the editor opened them, and as they are now, as this form shows values.
        opened_form = type(self)(instance=base.instance) if base is not None else None
        current_form = type(self)(instance=self.instance)
        mine, theirs = [], []
        for name, field in self.fields.items():
            if name in NOT_ROW_FIELDS or name not in current_form.fields:
                continue  # the form's own fields, and those a formset adds (its key, the delete box)
            changed_by_me = opened_form is None or field.has_changed(opened_form[name].initial, self[name].data)
            changed_by_them = opened_form is not None and opened_form[name].initial != current_form[name].initial
            if changed_by_me:
                mine.append(name)
            else:
                self._current_values[name] = current_form[name].initial
            if changed_by_me and changed_by_them:
                theirs.append(str(field.label or name))
        self._current_values["opened_version"] = self.instance.version
        message = STALE.format(name=model._meta.verbose_name)
        if theirs:
            message += STALE_SAME_FIELDS.format(fields=", ".join(theirs))
        raise ValidationError(message, code="stale")

    def _widget_data_value(self, widget, html_name):
        # Django reads every bound value through here (BoundField.data): after a stale
        # refusal, the fields the editor did not touch show the row's current values.
        # Validation has run by then; only the page shown again reads these.
        for name, value in self._current_values.items():
            if self.add_prefix(name) == html_name:
                return value
        return super()._widget_data_value(widget, html_name)


# Fields of the desk's forms that are not the row's own.
NOT_ROW_FIELDS = frozenset({"opened_version", "change_reason", "is_correction"})


class VersionedInlineFormSet(forms.BaseInlineFormSet):
    """Inline rows whose delete box is ticked are checked for staleness too.

    Django does not validate a form marked for deletion (its errors are dropped), so a row
    changed by someone else since the page was opened would be deleted, their edit lost.
    """

    def clean(self):
        super().clean()
        for form in self.forms:
            if self._should_delete_form(form) and getattr(form, "conflict", None):
                who = ", ".join(dict.fromkeys(change.user for change in form.conflict))
                raise ValidationError(
                    f"“{form.instance}” was changed by {who} since you opened this page, so it was not deleted: "
                    "look at what changed (above), then delete it again if it should go."
                )


class TimelineFormSet(VersionedInlineFormSet):
    """The timeline on a claim's page: an update that brings a status needs the page's reason.

    An update with a status moves the claim to it (claims.services.record_update), so it
    is a status change like any other and needs the reason the claim form asks for (one
    reason for the whole save, read from the posted data of the form this formset is part of).
    """

    def clean(self):
        super().clean()
        self._refuse_outcomes_waiting_for_review()
        if (self.data.get("change_reason") or "").strip():
            return
        for form in self.forms:
            if form.cleaned_data.get("DELETE") or not form.cleaned_data.get("status"):
                continue
            if form.instance.pk is None or "status" in form.changed_data:
                raise ValidationError(
                    "This update changes the claim's status: give a reason for the change below (kept in the history)."
                )

    def _refuse_outcomes_waiting_for_review(self):
        """An update that would give a published claim an outcome cannot go through a review (the
        review carries the claim's status, not a timeline entry): say where to do it instead.

        Judged against the claim as stored, not as posted: the claim's own form may be
        changing its status in the same save (into a review request), and compared with
        that, an update bringing the same outcome looked like no change at all.
        """
        if self.instance.pk is None:
            return
        stored = Claim.objects.filter(pk=self.instance.pk).only("status", "published_at").first()
        if stored is None:
            return
        for form in self.forms:
            status = form.cleaned_data.get("status") if not form.cleaned_data.get("DELETE") else None
            if not (form.instance.pk is None or "status" in form.changed_data):
                continue
            if review_rule.update_needs_review(stored, status):
                raise ValidationError(review_rule.UPDATE_NEEDS_REVIEW)


class ReasonForm(VersionedForm):
    """Adds the reason kept in the history; required when the status changes or for a correction."""

    change_reason = forms.CharField(
        label="Reason for this change",
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text="Kept in the history. Required when you change the status, and for a correction.",
    )

    def clean(self):
        cleaned = super().clean()
        reason = (cleaned.get("change_reason") or "").strip()
        if not reason and self._needs_reason(cleaned):
            self.add_error("change_reason", "Give a reason for the status change; it is kept in the history.")
        return cleaned

    def _needs_reason(self, cleaned) -> bool:
        if "status" not in self.fields:
            return False
        if self.instance.pk:
            return "status" in self.changed_data
        # A new row rated at once: an outcome needs its reason as much as a change does.
        status = cleaned.get("status")
        return bool(status) and status in Status.closed_values()


class CorrectionForm(ReasonForm):
    """A reason form whose write can be marked as a correction of a published claim.

    The reason is then published as the correction's explanation (claims.services,
    ``correction=``): readers see it on the claim's page, in the feed and in the
    corrections log.
    """

    is_correction = forms.BooleanField(
        label="This is a correction",
        required=False,
        help_text="The reason above is then published as the correction's explanation, dated today.",
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("is_correction"):
            return cleaned
        if not (cleaned.get("change_reason") or "").strip():
            self.add_error("change_reason", "A correction is published with its explanation: write it here.")
        if not self._corrects_a_published_claim(cleaned):
            self.add_error(
                "is_correction", "Only a published claim can be corrected: a draft is simply edited, with a reason."
            )
        return cleaned

    def _corrects_a_published_claim(self, cleaned) -> bool:
        claim = self.correction_claim(cleaned)
        if claim is None or claim.pk is None or claim.published_at is None:
            return False
        # Unpublishing in the same save is a takedown, not a correction.
        return "published_at" not in cleaned or cleaned["published_at"] is not None

    def correction_claim(self, cleaned):
        """The claim this write corrects (the form's own row for a claim)."""
        return self.instance

    def correction(self) -> str:
        """The explanation to publish, or "" when this write is no correction."""
        if not self.cleaned_data.get("is_correction"):
            return ""
        return (self.cleaned_data.get("change_reason") or "").strip()


def status_help() -> str:
    """Each status with its public definition (claims.models.STATUS_DEFINITIONS), under the status field."""
    items = format_html_join("", "<li><strong>{}</strong>: {}</li>", ((s.label, s.definition) for s in Status))
    return format_html(
        'What each status means to readers (as on the methodology page):<ul class="status-help">{}</ul>', items
    )


class ClaimForm(CorrectionForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields:
            self.fields["status"].help_text = status_help()
        if "slug" in self.fields:
            # Filled from the statement as it is typed (ClaimAdmin.prepopulated_fields), or
            # by claims.services.save_claim when left blank (a page without JavaScript).
            self.fields["slug"].required = False
            self.fields["slug"].help_text = "The claim's address on the site; made from the statement when left blank."
        for name in ("target_value", "actual_value"):
            value = self.initial.get(name)
            if name in self.fields and value is not None:
                # "20000", not the column's "20000.0000" (a number box takes no thousands separator).
                self.initial[name] = f"{value.normalize():f}"

    def clean(self):
        cleaned = super().clean()
        shown = cleaned.get("published_at")
        kept = self.instance.published_at
        if shown is not None and kept is not None and shown == kept.replace(microsecond=0):
            # The admin's date and time inputs drop microseconds: an untouched publication
            # time must not come back as a change (a publication, and a public change, by
            # every chief who only wrote a note).
            cleaned["published_at"] = kept
        if status := cleaned.get("status"):
            given = cleaned.get("resolved_on")
            if "status" in self.changed_data and "resolved_on" not in self.changed_data:
                given = None  # a new outcome is dated today unless the editor gives its date
            # Dated here as save_claim would, so that Claim.clean's rules (fulfilled after the
            # deadline is "fulfilled late") come back as form errors, not as a failed save.
            cleaned["resolved_on"] = outcome_date(status, given)
        return cleaned


class UpdateForm(CorrectionForm):
    """A timeline entry of its own page: a correction there corrects its claim."""

    def clean(self):
        cleaned = super().clean()
        claim = cleaned.get("claim") or (self.instance.claim if self.instance.claim_id else None)
        changes_status = self.instance.pk is None or "status" in self.changed_data
        if claim is not None and changes_status and review_rule.update_needs_review(claim, cleaned.get("status")):
            self.add_error("status", review_rule.UPDATE_NEEDS_REVIEW)
        return cleaned

    def correction_claim(self, cleaned):
        return cleaned.get("claim") or (self.instance.claim if self.instance.claim_id else None)

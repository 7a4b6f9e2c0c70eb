"""Intake forms: the article (pasted or uploaded) and one form per candidate claim."""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError

from claims.intake.input import (
    ArticleError,
    check_article_text,
    check_publication_date,
    check_size,
    decode_article,
)
from claims.models import Claim, Claimant, Comparator, Precision, newsroom_today, validate_sane_date

# Each candidate form has 17 fields; Django refuses a POST with more than 1,000
# (DATA_UPLOAD_MAX_NUMBER_FIELDS), so the review lists at most this many candidates.
MAX_CANDIDATES = 50


class ArticleForm(forms.Form):
    title = forms.CharField(max_length=300)
    url = forms.URLField(label="URL", max_length=500, required=False, assume_scheme="https")
    publisher = forms.CharField(max_length=200, required=False)
    published_on = forms.DateField(
        label="Publication date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Relative deadlines (“next year”, “within three years”) are read from this date; today without one.",
    )
    text = forms.CharField(
        label="Article text",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "cols": 100}),
    )
    upload = forms.FileField(label="…or upload a text file", required=False, help_text="Plain text, UTF-8.")
    # The reader tip this article comes from (claims.readers.tips): the claims kept are linked to it.
    tip = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean_published_on(self):
        try:
            return check_publication_date(self.cleaned_data.get("published_on"), newsroom_today())
        except ArticleError as error:
            raise ValidationError(str(error)) from None

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        pasted = cleaned.get("text") or ""
        try:
            if upload:
                if pasted.strip():
                    raise ArticleError("Paste the text or upload a file, not both: clear one of them.")
                check_size(upload.size)
                cleaned["text"] = decode_article(upload.read())
            else:
                cleaned["text"] = check_article_text(pasted)
        except ArticleError as error:
            self.add_error("upload" if upload else "text", str(error))
        return cleaned


class ArticleCarryForm(ArticleForm):
    """The article carried through the review page in hidden fields, so nothing is lost."""

    upload = None
    # The review page's one-time token (claims.intake.confirmation).
    token = forms.CharField(required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget = forms.Textarea(attrs={"hidden": True}) if name == "text" else forms.HiddenInput()


class CandidateForm(forms.Form):
    keep = forms.BooleanField(required=False)
    sentence = forms.CharField(widget=forms.HiddenInput, strip=False)
    score = forms.FloatField(required=False, widget=forms.HiddenInput)
    statement = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))
    quote = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Only words the claimant is quoted saying (inside quotation marks in the article).",
    )
    claimant = forms.CharField(max_length=200, required=False)
    claimant_kind = forms.ChoiceField(choices=Claimant.Kind.choices, initial=Claimant.Kind.ORGANIZATION)
    deadline_text = forms.CharField(max_length=200, required=False)
    deadline_start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    deadline_end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    deadline_precision = forms.ChoiceField(choices=Precision.choices, initial=Precision.NONE)
    target_quantity = forms.CharField(max_length=100, required=False)
    target_comparator = forms.ChoiceField(choices=[("", "—"), *Comparator.choices], required=False)
    target_value = forms.DecimalField(max_digits=20, decimal_places=4, required=False)
    target_unit = forms.CharField(max_length=40, required=False)
    appearance_of = forms.ModelChoiceField(queryset=Claim.objects.all(), required=False, widget=forms.HiddenInput)
    # The existing claims the editor was shown as possible duplicates ("12,40"): a likely
    # duplicate found at confirmation that the editor never saw sends the review back.
    duplicates_seen = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def _clean_deadline(self, name: str):
        # The register's own rule (a deadline outside it is a typing mistake, 9999-12-31).
        day = self.cleaned_data.get(name)
        validate_sane_date(day)
        return day

    def clean_deadline_start(self):
        return self._clean_deadline("deadline_start")

    def clean_deadline_end(self):
        return self._clean_deadline("deadline_end")

    def clean_duplicates_seen(self):
        seen = set()
        for part in (self.cleaned_data.get("duplicates_seen") or "").split(","):
            if part.strip().isdigit():
                seen.add(int(part))
        return seen

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("keep") or cleaned.get("appearance_of") or self.errors:
            return cleaned
        for name, message in (("statement", "Write the claim's statement."), ("claimant", "Name who makes it.")):
            if not (cleaned.get(name) or "").strip():
                self.add_error(name, message)
        claimant = (cleaned.get("claimant") or "").strip()
        if claimant and not any(character.isalnum() for character in claimant):
            self.add_error("claimant", "Give the claimant a name with letters or digits.")
        elif any(unicodedata.category(character) == "Cc" for character in claimant):
            self.add_error("claimant", "The claimant's name holds control characters: type it again.")
        # The register's own rules (deadline order, precision with dates, complete target).
        draft = Claim(**{name: cleaned.get(name) for name in _CLAIM_FIELDS})
        try:
            draft.clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return cleaned


_CLAIM_FIELDS = [
    "deadline_text", "deadline_start", "deadline_end", "deadline_precision",
    "target_quantity", "target_comparator", "target_value", "target_unit",
]  # fmt: skip

CandidateFormSet = forms.formset_factory(
    CandidateForm, extra=0, max_num=MAX_CANDIDATES, absolute_max=MAX_CANDIDATES, validate_max=True
)


def initial_from(candidate) -> dict:
    """A CandidateForm's initial data from an extract.Candidate."""
    target = candidate.target
    return {
        "sentence": candidate.sentence,
        "score": candidate.score,
        "statement": candidate.sentence,
        "quote": candidate.quote,
        "claimant": candidate.claimant or "",
        "claimant_kind": candidate.claimant_kind,
        "deadline_text": candidate.deadline_text,
        "deadline_start": candidate.deadline_start,
        "deadline_end": candidate.deadline_end,
        "deadline_precision": candidate.deadline_precision,
        "target_quantity": target.quantity if target else "",
        "target_comparator": target.comparator if target else "",
        "target_value": target.value if target else None,
        "target_unit": target.unit if target else "",
    }

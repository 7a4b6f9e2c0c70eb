"""The readers' public forms: a tip, and an address to follow something with.

Protected without a third-party service: a honeypot field (``website``, hidden from
people by the stylesheet and labelled for those who still meet it), size limits on every
field, Django's CSRF check, and a per-address rate limit in the views. Every refusal is
a form error the reader can read, never a server error.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from claims.models import normalise_email
from claims.readers.tips import CLAIMANT_MAX_LENGTH, STATEMENT_MAX_LENGTH

HONEYPOT = "website"
HONEYPOT_ERROR = (
    "This form could not be accepted: the field “Leave this field empty” was filled in. "
    "Empty it and send the form again."
)


class HoneypotForm(forms.Form):
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean(self):
        cleaned = super().clean()
        if self.data.get(HONEYPOT):
            raise ValidationError(HONEYPOT_ERROR, code="honeypot")
        return cleaned


class EmailField(forms.EmailField):
    def clean(self, value):
        return normalise_email(super().clean(value) or "")


class TipForm(HoneypotForm):
    statement = forms.CharField(
        label="What was claimed",
        max_length=STATEMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The promise or forecast, in the words used if you can: what, and by when.",
    )
    claimant = forms.CharField(
        label="Who made it", max_length=CLAIMANT_MAX_LENGTH, help_text="A company, an official, an organisation."
    )
    url = forms.URLField(
        label="Where (a link)",
        max_length=500,
        required=False,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="The article, video or statement where the claim was made.",
    )
    email = EmailField(
        label="Your email",
        max_length=254,
        required=False,
        help_text="Only to tell you, once, if we publish a claim from your tip. We send a link to confirm it first.",
    )
    field_order = ["statement", "claimant", "url", "email", "website"]


class FollowForm(HoneypotForm):
    email = EmailField(label="Your email", max_length=254)
    field_order = ["email", "website"]

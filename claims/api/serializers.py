"""The API's representation of a claim. Field names are a contract: add fields, never rename.

The declared fields describe the output for the OpenAPI document; ``to_representation``
builds the same dictionary directly, because DRF's field-by-field machinery costs
several milliseconds on a page of 50 claims (tests check both agree).
Dates are ISO 8601; decimal numbers are strings, so that no client rounds them.
"""

from decimal import Decimal

from rest_framework import serializers

from claims.models import Claim, Claimant, Comparator, Precision, Source, Status, Update
from claims.views.base import absolute, slug_path


def decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def _date(value):
    return value.isoformat() if value is not None else None


# Plain functions build the nested parts: a DRF serializer instance per nested object
# costs more than the dictionary it returns.


def claimant_data(claimant: Claimant) -> dict:
    return {
        "name": claimant.name,
        "slug": claimant.slug,
        "kind": claimant.kind,
        "url": claimant.url,
        "page_url": absolute(slug_path("claimant-detail", claimant.slug)),
    }


def source_data(source: Source) -> dict:
    return {
        "title": source.title,
        "url": source.url,
        "publisher": source.publisher,
        "published_on": _date(source.published_on),
    }


def update_data(update: Update) -> dict:
    return {
        "date": update.date.isoformat(),
        "summary": update.summary,
        "url": update.url,
        "status": update.status,
        "status_label": Status(update.status).label if update.status else "",
    }


class ClaimantSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.SlugField()
    kind = serializers.ChoiceField(choices=Claimant.Kind.choices)
    url = serializers.URLField(allow_blank=True, help_text="The claimant's own website, if known.")
    page_url = serializers.URLField(help_text="The claimant's track record on this site.")

    def to_representation(self, claimant: Claimant):
        return claimant_data(claimant)


class SourceSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.URLField(allow_blank=True)
    publisher = serializers.CharField(allow_blank=True)
    published_on = serializers.DateField(allow_null=True)

    def to_representation(self, source: Source):
        return source_data(source)


class DeadlineSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, help_text='As written, e.g. "by 2026".')
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True, help_text="The last day that still counts as on time.")
    precision = serializers.ChoiceField(choices=Precision.choices)
    precision_label = serializers.CharField()


class TargetSerializer(serializers.Serializer):
    quantity = serializers.CharField(allow_blank=True)
    comparator = serializers.ChoiceField(choices=Comparator.choices)
    value = serializers.CharField(help_text="A decimal number, as a string.")
    unit = serializers.CharField(allow_blank=True)
    display = serializers.CharField(help_text='e.g. "starting price < 20000 EUR".')


class ClaimSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    url = serializers.URLField(help_text="The claim's page on this site.")
    api_url = serializers.URLField()
    statement = serializers.CharField()
    quote = serializers.CharField(allow_blank=True)
    claimant = ClaimantSerializer()
    source = SourceSerializer()
    deadline = DeadlineSerializer()
    target = TargetSerializer(allow_null=True)
    actual_value = serializers.CharField(allow_null=True, help_text="The measured outcome (a decimal), once known.")
    target_met = serializers.BooleanField(allow_null=True)
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField()
    is_open = serializers.BooleanField()
    is_overdue = serializers.BooleanField()
    resolved_on = serializers.DateField(allow_null=True)
    verdict = serializers.CharField(allow_blank=True)
    published_at = serializers.DateTimeField()

    def to_representation(self, claim: Claim):
        status = claim.status_enum
        precision = Precision(claim.deadline_precision)
        target = None
        if claim.has_target:
            target = {
                "quantity": claim.target_quantity,
                "comparator": claim.target_comparator,
                "value": decimal_text(claim.target_value),
                "unit": claim.target_unit,
                "display": claim.target_display,
            }
        return {
            "slug": claim.slug,
            "url": absolute(slug_path("claim-detail", claim.slug)),
            "api_url": absolute(slug_path("api-claim-detail", claim.slug)),
            "statement": claim.statement,
            "quote": claim.quote,
            "claimant": claimant_data(claim.claimant),
            "source": source_data(claim.source),
            "deadline": {
                "text": claim.deadline_text,
                "start": _date(claim.deadline_start),
                "end": _date(claim.deadline_end),
                "precision": precision.value,
                "precision_label": precision.label,
            },
            "target": target,
            "actual_value": decimal_text(claim.actual_value),
            "target_met": claim.target_met,
            "status": status.value,
            "status_label": status.label,
            "is_open": status.is_open,
            "is_overdue": claim.is_overdue,
            "resolved_on": _date(claim.resolved_on),
            "verdict": claim.verdict,
            "published_at": claim.published_at.isoformat().replace("+00:00", "Z"),
        }


class UpdateSerializer(serializers.Serializer):
    date = serializers.DateField()
    summary = serializers.CharField()
    url = serializers.URLField(allow_blank=True)
    status = serializers.ChoiceField(choices=Status.choices, allow_blank=True, help_text="Set when it moved the claim.")
    status_label = serializers.CharField(allow_blank=True)

    def to_representation(self, update: Update):
        return update_data(update)


class AppearanceSerializer(serializers.Serializer):
    source = SourceSerializer()
    quote = serializers.CharField(allow_blank=True)


class ClaimDetailSerializer(ClaimSerializer):
    updates = UpdateSerializer(many=True, help_text="The public timeline, oldest first.")
    appearances = AppearanceSerializer(many=True, help_text="Further sources that repeated the claim.")

    def to_representation(self, claim: Claim):
        data = super().to_representation(claim)
        data["updates"] = [update_data(update) for update in claim.public_updates]
        data["appearances"] = [{"source": source_data(a.source), "quote": a.quote} for a in claim.public_appearances]
        return data

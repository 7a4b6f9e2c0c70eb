"""Saving what the editor kept: one Source, draft claims and further appearances.

Everything goes through claims.services with the editor as the acting user and the
history reason "intake", in one transaction: either all kept candidates are saved or
none is.
"""

from dataclasses import dataclass, field

from django.db import transaction

from claims import services
from claims.models import Appearance, Claim, Source

REASON = "intake"


@dataclass
class KeepResult:
    source: Source
    claims: list[Claim] = field(default_factory=list)
    appearances: list[Appearance] = field(default_factory=list)


def _source(article: dict, by) -> Source:
    if not article["url"]:
        # Without a URL there is no unique key; the same title, publisher and date is the same article.
        same = Source.objects.filter(
            url="", title=article["title"], publisher=article["publisher"], published_on=article["published_on"]
        ).first()
        if same:
            return same
    source, _ = services.get_or_create_source(
        title=article["title"],
        url=article["url"],
        publisher=article["publisher"],
        published_on=article["published_on"],
        body=article["text"],
        by=by,
        reason=REASON,
    )
    return source


@transaction.atomic
def keep_candidates(article: dict, kept: list[dict], *, by) -> KeepResult:
    """article: cleaned ArticleForm data; kept: cleaned CandidateForm data of the ticked rows."""
    result = KeepResult(source=_source(article, by))
    for row in kept:
        if row.get("appearance_of"):
            appearance = services.add_appearance(
                row["appearance_of"], result.source, by=by, reason=REASON, quote=row.get("quote") or ""
            )
            if appearance:
                result.appearances.append(appearance)
            continue
        claimant, _ = services.get_or_create_claimant(row["claimant"], kind=row["claimant_kind"], by=by, reason=REASON)
        claim = Claim(
            statement=row["statement"],
            quote=row.get("quote") or "",  # quoted words only, never the journalist's sentence
            claimant=claimant,
            source=result.source,
            deadline_text=row["deadline_text"],
            deadline_start=row["deadline_start"],
            deadline_end=row["deadline_end"],
            deadline_precision=row["deadline_precision"],
            target_quantity=row["target_quantity"],
            target_comparator=row["target_comparator"],
            target_value=row["target_value"],
            target_unit=row["target_unit"],
            assignee=by,
        )
        result.claims.append(services.save_claim(claim, by=by, reason=REASON))
    return result

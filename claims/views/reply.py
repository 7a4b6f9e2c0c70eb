"""The claimant's right of reply as readers read it: its box on the claim's page and its timeline entries.

Written from the claim's own fields (Claim.reply_*), so the page, the timeline and the
API (claims.api.serializers) say the same.
"""

import datetime

from claims.models import Claim


def _day(value: datetime.date, *, year_of: datetime.date | None = None) -> str:
    """ "3 March 2026"; "5 March" when ``year_of`` is of the same year."""
    if year_of is not None and year_of.year == value.year:
        return f"{value.day} {value:%B}"
    return f"{value.day} {value:%B %Y}"


def sentence(claim: Claim) -> str:
    """ "We asked Nissan on 3 March 2026; they replied on 5 March:" / "... Nissan had not replied by 10 March 2026."."""
    asked = claim.reply_requested_on
    if asked is None:
        return ""
    name = claim.claimant.name
    opening = f"We asked {name} for comment on {_day(asked)}"
    if claim.reply_text or claim.reply_on or claim.reply_url:
        when = f" on {_day(claim.reply_on, year_of=asked)}" if claim.reply_on else ""
        return f"{opening}; they replied{when}{':' if claim.reply_text else '.'}"
    if claim.no_reply_by:
        return f"{opening}. {name} had not replied by {_day(claim.no_reply_by)}."
    return f"{opening}; we will add their reply here."


def entries(claim: Claim, entry_class) -> list:
    """Timeline entries (claims.views.timeline.Entry) for the request, the reply or its absence."""
    asked = claim.reply_requested_on
    if asked is None:
        return []
    name = claim.claimant.name
    found = [entry_class(asked, "reply", f"Asked {name} for comment", order=(1.5, 0))]
    if claim.reply_on:
        found.append(
            entry_class(
                claim.reply_on, "reply", f"{name} replied", claim.reply_text, url=claim.reply_url, order=(1.5, 1)
            )
        )
    elif claim.no_reply_by:
        found.append(entry_class(claim.no_reply_by, "reply", f"No reply from {name} by this day", order=(1.5, 1)))
    return found

"""/methodology/: how the tracker rates claims, written from the rules the desk works by.

The statuses and their definitions (claims.models.STATUS_DEFINITIONS), the deadline
precisions, the target comparators and the review rule's settings come from the code
that applies them, so the page cannot drift from what the desk does; the newsroom's own
words (introduction, corrections policy, contact) come from MethodologyText, edited in
the admin with history. Served through the public page cache like every page;
claims.public_cache moves its generation on when the text changes.
"""

from django.conf import settings

from claims.models import Comparator, MethodologyText, Precision, Status
from claims.views import frame

TITLE = "How we rate claims"

# How each dated precision turns a deadline as written into dates (claims/intake/deadlines.py).
PRECISION_RULES = {
    Precision.DAY: "a named day (“on 15 March 2027”): the deadline is that day.",
    Precision.MONTH: "a month (“by October 2026”): the deadline is its last day.",
    Precision.QUARTER: "a quarter or a season (“in Q3 2026”, “this summer”): the deadline is the last day of "
    "those three months.",
    Precision.HALF: "a half-year, or “early” / “mid” / “late” a year (“in the second half of 2027”): the deadline "
    "is the last day of that half.",
    Precision.YEAR: "a year (“by 2026”): the deadline is 31 December of that year; “within three years” counts "
    "from the day the claim was made.",
    Precision.DECADE: "a decade (“by the end of the decade”): the deadline is the last day of the decade.",
    Precision.VAGUE: "words with no date (“soon”, “in the coming years”): no deadline date; such claims are never "
    "overdue and are rated on what happens.",
    Precision.NONE: "no time stated at all: no deadline.",
}

DEFAULT_INTRODUCTION = (
    "We track forward-looking claims made by companies and officials: what was promised, by whom, by when, and "
    "what became of it. Each claim is recorded with the article it appeared in, its deadline as written and as a "
    "date, any measurable target, and a status on the scale below."
)
DEFAULT_CORRECTIONS = (
    "When we get something wrong we correct it in the open: the claim's page says what changed and when, and "
    "every correction is listed in our corrections log."
)
DEFAULT_CONTACT = "Write to the desk: we read every message, and claimants may always reply to a rating."


def methodology(request):
    text = MethodologyText.objects.filter(pk=MethodologyText.SINGLETON_ID).first()
    context = {
        "statuses": [
            {"value": s.value, "label": s.label, "definition": s.definition, "is_open": s.is_open, "rating": s.rating}
            for s in Status
        ],
        "precisions": [(Precision(p).label, rule) for p, rule in PRECISION_RULES.items()],
        "comparators": [(c.value, c.label) for c in Comparator],
        "introduction": (text.introduction if text else "") or DEFAULT_INTRODUCTION,
        "corrections_policy": (text.corrections_policy if text else "") or DEFAULT_CORRECTIONS,
        "contact": (text.contact if text else "") or DEFAULT_CONTACT,
        "review_required": settings.REVIEW_REQUIRED,
        "review_approvals": settings.REVIEW_APPROVALS,
    }
    return frame.render(request, "public/methodology.html", context, title=TITLE, nav="methodology")

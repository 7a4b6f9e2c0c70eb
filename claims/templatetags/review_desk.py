"""The desk's index and claim list: how many reviews wait (claims.admin.reviews)."""

from django import template

from claims.admin.reviews import awaiting_review_count, may_see_reviews

register = template.Library()


@register.simple_tag(takes_context=True)
def awaiting_review(context) -> int | None:
    """Reviews waiting, for a user who may see the list; None otherwise."""
    request = context.get("request")
    if request is None or not may_see_reviews(request.user):
        return None
    return awaiting_review_count()

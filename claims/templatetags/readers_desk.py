"""The desk's index: how many reader tips wait in the inbox (claims.admin.readers)."""

from django import template

from claims.models import ReaderTip

register = template.Library()


@register.simple_tag(takes_context=True)
def new_tips(context) -> int | None:
    """New tips, for a user who may see them; None otherwise (one indexed COUNT)."""
    request = context.get("request")
    if request is None or not request.user.has_perm("claims.view_readertip"):
        return None
    return ReaderTip.objects.filter(state=ReaderTip.State.NEW).count()

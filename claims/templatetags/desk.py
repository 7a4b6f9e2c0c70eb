"""The desk's template helpers: the home page's entries (claims.admin.desk), the admin's date and target formats."""

from django import template

from claims import formats
from claims.admin import desk

register = template.Library()


@register.simple_tag(takes_context=True)
def desk_entries(context) -> list:
    """The entries of the desk's home page for the signed-in user (claims.admin.desk.desk_entries)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    return desk.desk_entries(request)


@register.filter
def desk_datetime(value) -> str:
    """As "2 December 2026, 14:05 CET" (claims.formats)."""
    return formats.newsroom_datetime(value)


@register.filter
def desk_date(value) -> str:
    """As "2 December 2026" (claims.formats)."""
    return formats.newsroom_date(value)


@register.filter
def desk_quoted(text) -> str:
    """“text”, its quotation marks never doubled (claims.formats.quoted)."""
    return formats.quoted(str(text or ""))

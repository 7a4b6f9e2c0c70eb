"""The desk's notice to a person whose role needs a second factor they have not given."""

from django import template

from claims.signin import policy

register = template.Library()


@register.inclusion_tag("admin/signin/notice.html", takes_context=True)
def signin_notice(context):
    """On every desk page but the sign-in pages themselves, which say it in their own words."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if request is None or (match is not None and match.namespace == "signin"):
        return {"withheld": False}
    return {"withheld": policy.withheld_from_role(request.user)}

"""The desk's notice to a person whose role needs a second factor they have not given."""

from django import template

from claims.signin import policy

register = template.Library()


@register.inclusion_tag("admin/signin/notice.html", takes_context=True)
def signin_notice(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"withheld": user is not None and policy.withheld_from_role(user)}

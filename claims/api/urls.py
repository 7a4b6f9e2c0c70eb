from django.urls import path

from claims.api import views
from claims.api.filters import ClaimFilter
from claims.api.pagination import NoCountPagination
from claims.api.reference import reference
from claims.public_cache import cache_public
from claims.throttle.guard import bounded, rate_limited, searched_filtered_or_deep

# Every API request counts against its address's rate limit, cached or not (claims/throttle/).
LIST_PARAMS = (*ClaimFilter.base_filters, NoCountPagination.page_query_param, NoCountPagination.page_size_query_param)


def api(view, *, params=(), expensive=None):
    inner = bounded(view, when=expensive, json=True) if expensive else view
    return rate_limited(cache_public(inner, params=params), json=True)


urlpatterns = [
    path(
        "claims/",
        api(views.ClaimList.as_view(), params=LIST_PARAMS, expensive=searched_filtered_or_deep),
        name="api-claim-list",
    ),
    path("claims/<slug:slug>/", api(views.ClaimDetail.as_view()), name="api-claim-detail"),
    # ?format=json for JSON; ?lang= as drf-spectacular reads it.
    path("schema/", api(views.Schema.as_view(), params=("format", "lang")), name="api-schema"),
    path("docs/", cache_public(reference), name="api-docs"),
]

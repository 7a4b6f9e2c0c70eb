from django.urls import path

from claims.api import views
from claims.api.reference import reference
from claims.public_cache import cache_public

urlpatterns = [
    path("claims/", cache_public(views.ClaimList.as_view()), name="api-claim-list"),
    path("claims/<slug:slug>/", cache_public(views.ClaimDetail.as_view()), name="api-claim-detail"),
    path("schema/", cache_public(views.Schema.as_view()), name="api-schema"),
    path("docs/", cache_public(reference), name="api-docs"),
]

from django.db.models import Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import generics

from claims.api.filters import ClaimFilter
from claims.api.pagination import NoCountPagination
from claims.api.serializers import ClaimDetailSerializer, ClaimSerializer
from claims.models import Appearance, Update
from claims.views.base import public_claims


class ClaimList(generics.ListAPIView):
    """Published claims, newest first, with the filters of the claim list page."""

    serializer_class = ClaimSerializer
    pagination_class = NoCountPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ClaimFilter

    def get_queryset(self):
        return public_claims()


class ClaimDetail(generics.RetrieveAPIView):
    """One published claim with its public timeline and further appearances."""

    serializer_class = ClaimDetailSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return public_claims().prefetch_related(
            Prefetch("updates", queryset=Update.objects.order_by("date", "id"), to_attr="public_updates"),
            Prefetch(
                "appearances",
                queryset=Appearance.objects.select_related("source").defer("source__body"),
                to_attr="public_appearances",
            ),
        )

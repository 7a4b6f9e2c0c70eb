import contextlib

from django.db.models import Prefetch
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.views import SpectacularAPIView
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation

from claims import compiled
from claims.api.filters import ClaimFilter
from claims.api.pagination import NoCountPagination
from claims.api.serializers import ClaimDetailSerializer, ClaimRow, ClaimSerializer, PageContext, claim_json, claim_rows
from claims.models import Appearance, Claim, Update
from claims.views.base import SearchTooSlow, public_claims, search_time_limit

# Built once: values_list resolves its 24 column paths each time it is called (0.2 ms a
# request); a clone of the finished queryset costs a hundredth of that. It is never
# evaluated itself, only cloned, so it holds no rows.
_PUBLISHED_CLAIM_ROWS = claim_rows(Claim.objects.published())


class ClaimList(generics.ListAPIView):
    """Published claims, newest first, with the filters of the claim list page."""

    serializer_class = ClaimSerializer
    pagination_class = NoCountPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ClaimFilter

    def get_queryset(self):
        # Rows of the shown columns, not model instances (see claims.api.serializers).
        return _PUBLISHED_CLAIM_ROWS.all()

    def list(self, request, *args, **kwargs):
        # ListModelMixin.list, without a serializer per response: see claim_json.
        # The filters as DjangoFilterBackend.filter_queryset applies them, with the filter set at
        # hand: its compiled_key says whether the page's SQL can be compiled once (read_page).
        filterset = DjangoFilterBackend().get_filterset(request, self.get_queryset(), self)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        self.compiled_key = filterset.compiled_key()
        try:
            with search_time_limit() if self.compiled_key is None else contextlib.nullcontext():
                rows = self.paginate_queryset(filterset.qs)
        except SearchTooSlow as error:
            raise ValidationError({"q": [str(error)]}) from None  # as for a page beyond the last served
        # Each row as JSON, remembered by its values (claim_json); DRF's own rendering of the
        # same data gives the same bytes (tests/test_public_api_fast.py).
        page = PageContext.current()
        return self.paginator.get_json_response([claim_json(row, page) for row in rows])

    def read_page(self, queryset, offset: int, limit: int):  # -> ClaimRow rows ("list" is a method here)
        """``limit`` rows from ``offset`` (for NoCountPagination); compiled once per connection unless searching."""
        if self.compiled_key is None:
            return list(queryset[offset : offset + limit])
        key = (self.compiled_key, offset, limit)
        found = compiled.rows("api-claim-list", key, lambda: queryset[offset : offset + limit])
        return list(map(ClaimRow._make, found))


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


class FormatParameterOnly(BaseContentNegotiation):
    """The first renderer, or the first for ``?format=``; the Accept header is not consulted.

    Public responses are cached by address alone, so an address must always get the same
    body: negotiating on Accept would cache whichever format the first reader asked for.
    """

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        wanted = format_suffix or request.query_params.get("format")
        candidates = [renderer for renderer in renderers if renderer.format == wanted] if wanted else renderers
        if not candidates:
            raise Http404("Unknown format; use format=yaml or format=json.")
        return candidates[0], candidates[0].media_type


class Schema(SpectacularAPIView):
    """The OpenAPI document: YAML, or JSON with ?format=json."""

    content_negotiation_class = FormatParameterOnly

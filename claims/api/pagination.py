"""Page-number pagination without COUNT(*): one row more than a page tells whether a next one exists.

Counting every match on every request is what makes lists slow on a large register;
clients follow ``next`` until it is null.
"""

from django.conf import settings
from django.http import HttpResponse
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from claims.views.base import MAX_PAGE, BadPage, page_number

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


class NoCountPagination(BasePagination):
    page_query_param = "page"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        try:
            self.number = page_number(request.query_params.get(self.page_query_param))
        except BadPage as error:
            raise ValidationError({self.page_query_param: [str(error)]}) from None
        self.page_size = self._page_size(request)
        offset = (self.number - 1) * self.page_size
        # A view may read its pages its own way (ClaimList: compiled once per connection).
        read_page = getattr(view, "read_page", None)
        if read_page is not None:
            rows = read_page(queryset, offset, self.page_size + 1)
        else:
            rows = list(queryset[offset : offset + self.page_size + 1])
        if self.number > 1 and not rows:
            raise NotFound("There is no such page.")
        self.has_next = len(rows) > self.page_size
        return rows[: self.page_size]

    def _page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw in (None, ""):
            return DEFAULT_PAGE_SIZE
        # Written as the API writes it (see views.base.page_number): one spelling per size.
        size = int(raw) if raw.isascii() and raw.isdigit() and not raw.startswith("0") else 0
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise ValidationError({self.page_size_query_param: [f"A whole number from 1 to {MAX_PAGE_SIZE}."]})
        return size

    def _link(self, number):
        # The canonical address, as everywhere else: the Host a request came in on may be
        # any allowed alias, and the cached page is served to readers of every one of them.
        url = settings.SITE_URL + self.request.get_full_path()
        if number == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, number)

    def _document(self, results: list) -> dict:
        return {
            "page": self.number,
            "page_size": self.page_size,
            "next": self._link(self.number + 1) if self.has_next else None,
            "previous": self._link(self.number - 1) if self.number > 1 else None,
            "results": results,
        }

    def get_paginated_response(self, data):
        return Response(self._document(data))

    def get_json_response(self, results: list[bytes]) -> HttpResponse:
        """get_paginated_response's document, for results that are JSON already, as JSONRenderer writes them.

        The document is rendered with no results (it ends with ``[]}``: "results" is its
        last key) and the results are put between the brackets, so the bytes are those
        DRF would write for the same data.
        """
        empty = JSONRenderer().render(self._document([]))
        if not empty.endswith(b"[]}"):
            raise ValueError("The page document must end with its results.")
        return HttpResponse(empty[:-2] + b",".join(results) + b"]}", content_type=JSONRenderer.media_type)

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["page", "page_size", "next", "previous", "results"],
            "properties": {
                "page": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
                "page_size": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                "next": {**link, "description": "The next page; null on the last one."},
                "previous": link,
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "in": "query",
                "required": False,
                "description": f"Page number, from 1 to {MAX_PAGE}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
            },
            {
                "name": self.page_size_query_param,
                "in": "query",
                "required": False,
                "description": f"Claims per page (default {DEFAULT_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]

"""The API's reference page: Swagger UI on the OpenAPI description, in the site's frame.

Swagger UI's files come from drf-spectacular-sidecar and are served by us like any
static file (no CDN). drf-spectacular's own Swagger views write their start-up script
and styles inline, which the site's Content-Security-Policy forbids; here the page loads
a small script of ours (static/api/reference.js) that reads the description's address
from the page, so the policy stays as strict as on every other page.
"""

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html

from claims.views import frame

TITLE = "API reference"
SWAGGER_UI = "drf_spectacular_sidecar/swagger-ui-dist/"
# Names a reader's browser gives the description when it is downloaded from the page.
YAML_FILENAME, JSON_FILENAME = "factcheck-openapi.yaml", "factcheck-openapi.json"


def reference(request):
    """Every operation of the read-only API with its filters and answers, and a way to try each."""
    schema = reverse("api-schema")
    head = format_html(
        '<link rel="stylesheet" href="{}">\n<script src="{}" defer></script>\n<script src="{}" defer></script>\n',
        static(SWAGGER_UI + "swagger-ui.css"),
        static(SWAGGER_UI + "swagger-ui-bundle.js"),
        static("api/reference.js"),
    )
    content = format_html(
        "<h1>{}</h1>\n"
        '<p class="lede">The read-only JSON API of the published claims: <a href="{}">{}</a>. '
        'Its OpenAPI description: <a href="{}" download="{}">YAML</a> · <a href="{}" download="{}">JSON</a>.</p>\n'
        '<div id="swagger-ui" class="api-reference" data-schema-url="{}">'
        '<p class="muted">The reference needs JavaScript; the OpenAPI description above holds the same.</p></div>\n',
        TITLE,
        reverse("api-claim-list"),
        settings.SITE_URL + reverse("api-claim-list"),
        schema,
        YAML_FILENAME,
        f"{schema}?format=json",
        JSON_FILENAME,
        f"{schema}?format=json",
    )
    description = "The read-only JSON API of the claim tracker: its operations, filters and answers."
    return frame.page({"title": TITLE, "description": description, "head": head, "content": content})

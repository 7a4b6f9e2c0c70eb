from django.contrib import admin
from django.http import HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path


def healthz(request):
    """Liveness probe; touches neither the database nor Redis (also the benchmark ceiling)."""
    return HttpResponse("ok", content_type="text/plain")


def favicon(request):
    """Browsers ask every site for /favicon.ico (the admin names no icon): the site's icon, not a 404."""
    response = HttpResponseRedirect(static("public/favicon.svg"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


admin.site.site_header = "factcheck workbench"
admin.site.site_title = "factcheck"
admin.site.index_title = "Claims desk"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    # Intake lives beside the admin and uses its login and permissions.
    path("admin/intake/", include("claims.intake.urls")),
    # Two-factor enrolment, the code step after the password, and resets (claims/signin/).
    path("admin/signin/", include("claims.signin.urls")),
    path("admin/", admin.site.urls),
    # Public pages, feeds, calendar, API, sitemap and robots.txt.
    path("", include("claims.urls")),
]

# A database outage met outside a view (a middleware reading the session) is a 503 too.
handler500 = "factcheck.outage.server_error"

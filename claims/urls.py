"""Public URLs (pages, feeds, calendar, API, sitemap). Filled in by the public-pages work."""

urlpatterns = []

"""The editors' workbench: the Django admin, one module per part of the desk.

- forms: every form carries the version it was opened at and the reason kept in the history;
- tracked: the base of every tracked row's pages (writes through the services, rows locked
  while saved, history read-only);
- claims: the claim list and page; register: claimants, sources, timeline updates;
- lists: the claim list's filters and paginator; csv_export: the list's CSV;
- readers: the reader tips inbox, and the subscribers (staff only, with erasure);
- reviews: the "Awaiting review" list of the two-person rule; methodology: the methodology page's text.
"""

from django.contrib import admin

from claims.admin import claims, methodology, readers, register, reviews  # noqa: F401 - registers the desk's pages
from claims.webhooks import admin as webhooks  # noqa: F401 - endpoints and their deliveries, for chief editors

# No sidebar of every model beside each page: the desk's home page lists them, and on a
# laptop the sidebar left the claim list's statements about 60 px wide.
admin.site.enable_nav_sidebar = False

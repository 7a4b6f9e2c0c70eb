"""Admin intake URLs, included at admin/intake/ by factcheck/urls.py.

Every view goes through admin.site.admin_view: staff login, CSRF and no caching, the
same as the rest of the workbench; the views check the add-claim permission themselves.
"""

from django.contrib import admin
from django.urls import path

from claims.intake import views

app_name = "intake"
urlpatterns = [
    path("", admin.site.admin_view(views.start), name="start"),
    path("confirm/", admin.site.admin_view(views.confirm), name="confirm"),
    path("sources/<int:source_id>/", admin.site.admin_view(views.done), name="done"),
    path("duplicates/", admin.site.admin_view(views.duplicates), name="duplicates"),
]

"""Sign-in pages, included at admin/signin/ by factcheck/urls.py.

Each view goes through admin.site.admin_view: staff login, CSRF, never cached.
SecondFactorMiddleware lets a session that owes its second factor reach these.
"""

from django.contrib import admin
from django.urls import path

from claims.signin import views

app_name = "signin"
urlpatterns = [
    path("", admin.site.admin_view(views.overview), name="overview"),
    path("enrol/", admin.site.admin_view(views.enrol), name="enrol"),
    path("verify/", admin.site.admin_view(views.verify), name="verify"),
    path("backup-codes/", admin.site.admin_view(views.backup_codes), name="backup_codes"),
    path("reset/<int:user_id>/", admin.site.admin_view(views.reset), name="reset"),
]

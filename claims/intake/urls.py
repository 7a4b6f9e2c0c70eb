"""Admin intake URLs. Filled in by the intake work."""

app_name = "intake"
urlpatterns = []

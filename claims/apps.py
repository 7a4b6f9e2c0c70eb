from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims"

    def ready(self):
        from claims import (
            checks,  # noqa: F401 - registers system checks
            public_cache,  # noqa: F401 - registers cache invalidation on writes
            readers,  # noqa: F401 - records the public changes followers are told of
            reminders,  # noqa: F401 - registers the reminders' claim save hook
        )
        from claims.opendata import refresh as opendata  # noqa: F401 - queues a build of open data after a change
        from claims.signin import middleware  # noqa: F401 - marks at sign-in whether a code is due
        from claims.sitemaps import refresh  # noqa: F401 - queues a build of the sitemaps after a change
        from claims.views import data  # noqa: F401 - registers the aggregates a worker keeps fresh
        from claims.webhooks import events  # noqa: F401 - writes partners' deliveries with each public change

"""The readers' addresses, included at the site's root by claims/urls.py.

The card and oEmbed go through the page cache like every public page (each naming the
parameters it reads); the forms and the links from emails are never cached.
"""

from django.urls import path

from claims.public_cache import cache_public
from claims.readers import embed, views

urlpatterns = [
    path("claims/<slug:slug>/embed/", cache_public(embed.claim_embed), name="claim-embed"),
    path("oembed/", cache_public(embed.oembed, params=("url", "format", "maxwidth", "maxheight")), name="oembed"),
    path("suggest/", views.suggest, name="suggest"),
    path("suggest/thanks/", views.suggest_thanks, name="suggest-thanks"),
    path("suggest/confirm/<str:token>/", views.suggest_confirm, name="suggest-confirm"),
    path("follow/", views.follow, name="follow"),
    path("follow/sent/", views.follow_sent, name="follow-sent"),
    path("follow/confirm/<str:token>/", views.follow_confirm, name="follow-confirm"),
    path("follow/unsubscribe/<str:token>/", views.unsubscribe, name="follow-unsubscribe"),
    path("follow/manage/<str:token>/", views.manage, name="follow-manage"),
]

"""Keeps a session that owes its second factor out of the desk.

The desk is everything under the admin's address (the admin, intake, and what comes next),
except signing in and out and these sign-in pages themselves. A staff session that has
not passed its second factor is sent:

- to the code page, when the account has a second factor: it was marked at sign-in
  (``CODE_DUE``), so the check costs no query on the pages of the many who have none;
- to the code or enrolment page, when REQUIRE_2FA keeps this account out of the desk
  until it has one (policy.desk_needs_second_factor).

Publishing and deleting are refused by backends.SecondFactorPermissions whatever page
asks; this middleware only decides where a person is sent.
"""

import functools

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import get_script_prefix, reverse
from django.utils.http import urlencode

from claims.signin import devices, policy

# Session key: this session signed in to an account that has a second factor.
CODE_DUE = "signin_code_due"

_OPEN_ADMIN_VIEWS = {"login", "logout"}
_OPEN_SIGNIN_VIEWS = {"enrol", "verify"}


@receiver(user_logged_in, dispatch_uid="claims.signin.mark_code_due")
def mark_code_due(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session") and user.is_staff:
        request.session[CODE_DUE] = devices.has_second_factor(user)


@functools.lru_cache(maxsize=8)
def _desk_path(script_prefix: str) -> str:
    return reverse("admin:index")  # tens of µs: too dear for every public page, hence the cache


def _is_desk(request) -> bool:
    match = request.resolver_match
    if match is None or not request.path.startswith(_desk_path(get_script_prefix())):
        return False
    if match.namespace == "signin":
        # Only the pages that give the second factor; the others (resets, new backup
        # codes, the overview) wait for it like the rest of the desk.
        return match.url_name not in _OPEN_SIGNIN_VIEWS
    return not (match.namespace == "admin" and match.url_name in _OPEN_ADMIN_VIEWS)


def _to(name: str, request):
    return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not _is_desk(request):
            return None
        user = request.user
        if not (user.is_authenticated and user.is_staff) or policy.is_verified(user):
            return None
        if request.session.get(CODE_DUE):
            return _to("signin:verify", request)
        if policy.desk_needs_second_factor(user):
            return _to("signin:verify" if devices.has_second_factor(user) else "signin:enrol", request)
        return None

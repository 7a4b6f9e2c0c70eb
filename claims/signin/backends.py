"""The permission layer: publish and delete are refused to a session without its second factor.

Listed in AUTHENTICATION_BACKENDS before ModelBackend. Django asks each backend in turn and
stops at the first that raises PermissionDenied, so a refusal here wins over the
permissions the user's groups grant. Every caller of ``has_perm`` is covered: the admin's
delete views and actions, ``claims.services.publish``, templates' ``perms``.
"""

from django.core.exceptions import PermissionDenied

from claims.signin import policy


class SecondFactorPermissions:
    """Grants nothing; refuses the guarded permissions while REQUIRE_2FA wants a second factor."""

    def authenticate(self, request, **credentials):
        return None  # signs nobody in: Django calls every backend's authenticate

    def has_perm(self, user_obj, perm, obj=None):
        if policy.withholds(user_obj, perm):
            raise PermissionDenied(f"{perm} needs two-factor sign-in in this session.")
        return False

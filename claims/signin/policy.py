"""What REQUIRE_2FA asks of whom.

The permissions a second factor guards are publishing and every delete: the two things
that change what readers see or lose history for good, and what the "Chief editors" role
adds to an editor's. Everything else an editor does stays open to a password alone unless
REQUIRE_2FA is ``staff``.

Django answers ``has_perm`` for an active superuser without asking any backend, so the
permission layer cannot hold a superuser back: under ``chief`` an unverified superuser is
kept out of the whole desk instead (``desk_needs_second_factor``).
"""

import enum

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from claims.services import PUBLISH_PERMISSION

# Who may reset another person's devices: a chief editor, whose role is the one that publishes.
RESET_PERMISSION = PUBLISH_PERMISSION


class Requirement(enum.StrEnum):
    CHIEF = "chief"  # publish and delete need a second factor
    STAFF = "staff"  # the whole desk needs it
    NONE = "none"  # only accounts that enrolled are asked for a code


def requirement() -> Requirement:
    return Requirement(settings.REQUIRE_2FA)


def is_guarded(perm: str) -> bool:
    """Publishing, and deleting anything."""
    _, _, codename = perm.partition(".")
    return perm == PUBLISH_PERMISSION or codename.startswith("delete_")


def is_verified(user) -> bool:
    """Whether this user object comes from a session that passed its second factor.

    django-otp's middleware installs ``is_verified`` on the request's user; a user loaded
    anywhere else (a shell, a task) has not passed one.
    """
    check = getattr(user, "is_verified", None)
    return bool(callable(check) and check())


def holds_by_role(user, perm: str) -> bool:
    """Whether the user's groups grant ``perm``, second factor or not (cached on the user by Django)."""
    return ModelBackend().has_perm(user, perm)


def withholds(user, perm: str) -> bool:
    """Whether ``perm`` is refused to ``user`` for want of a second factor."""
    return requirement() is not Requirement.NONE and is_guarded(perm) and not is_verified(user)


def withheld_from_role(user) -> bool:
    """Whether permissions this user's role grants are withheld now, for want of a second factor.

    Costs no query when REQUIRE_2FA is ``none``, nor for a verified session; otherwise
    reads the user's permissions, which the admin has usually loaded already.
    """
    if requirement() is Requirement.NONE or not user.is_authenticated or not user.is_staff or is_verified(user):
        return False
    return any(is_guarded(perm) for perm in ModelBackend().get_all_permissions(user))


def desk_needs_second_factor(user) -> bool:
    """Whether this staff account may use no page of the desk before its second factor."""
    match requirement():
        case Requirement.STAFF:
            return True
        case Requirement.CHIEF:
            return user.is_superuser
    return False


def may_reset(actor, target) -> bool:
    """Another chief editor may reset a person's devices; nobody their own, and only a superuser a superuser's.

    Whatever REQUIRE_2FA says, only from a session that passed its own second factor: a
    reset opens the target's account to whoever holds its password, so a password alone
    (a superuser's included, whom has_perm never refuses) must not be enough.
    """
    if actor.pk == target.pk or not (actor.is_active and actor.is_staff):
        return False
    if target.is_superuser and not actor.is_superuser:
        return False
    return is_verified(actor) and actor.has_perm(RESET_PERMISSION)

"""Writes to a person's second factors: enrolment, checking a code, backup codes, reset.

A person has at most one confirmed authenticator app (a django-otp TOTPDevice) and one set
of backup codes (a StaticDevice whose tokens are deleted as they are used, so each works
once). Each write runs in one transaction and locks the rows it decides on, so that two
tabs, or a double click, cannot confirm twice, use one backup code twice, or slip past
the throttle: django-otp doubles the wait after each wrong code (1 s, 2 s, 4 s, ...).
"""

import dataclasses
import datetime
import logging

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from claims.signin import policy

logger = logging.getLogger(__name__)

APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
BACKUP_CODE_COUNT = 10
APP_CODE_DIGITS = 6


def normalise(code: str) -> str:
    """What a person typed, without the spaces and dashes people add when copying codes."""
    return "".join(code.split()).replace("-", "").lower()


def app_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def has_second_factor(user) -> bool:
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or StaticDevice.objects.filter(user=user, confirmed=True, token_set__isnull=False).exists()
    )


def pending_app_device(user) -> TOTPDevice:
    """The app device being enrolled: the same secret for every tab the person opens."""
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk")
    if not pending.exists():
        TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return pending.first()  # two tabs that created one each at once both show the older


@dataclasses.dataclass(frozen=True)
class Check:
    device: object | None = None  # the device that accepted the code
    wait_until: datetime.datetime | None = None  # throttled: no code is looked at before then
    done_already: bool = False  # enrolment: another tab confirmed first


def _check(device, code: str) -> Check:
    """Within the caller's transaction, with ``device`` locked."""
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return Check(wait_until=(details or {}).get("locked_until"))
    return Check(device=device) if device.verify_token(code) else Check()


def _new_backup_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def confirm_enrolment(user, code: str) -> tuple[Check, list[str]]:
    """Confirm the pending app device with a code from it; returns fresh backup codes, shown once."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
    if device is None or app_device(user) is not None:
        return Check(done_already=True), []
    check = _check(device, normalise(code))
    if check.device is None:
        return check, []
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return check, _new_backup_codes(user)


@transaction.atomic
def check_code(user, code: str) -> Check:
    """A code from the app (six digits) or a backup code (anything else), each checked once."""
    code = normalise(code)
    model = TOTPDevice if code.isdigit() and len(code) == APP_CODE_DIGITS else StaticDevice
    device = model.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        return Check()
    return _check(device, code)


@transaction.atomic
def replace_backup_codes(user) -> list[str]:
    """A new set of backup codes; the old ones stop working."""
    if app_device(user) is None:
        raise ValidationError("Set up the authenticator app first.")
    return _new_backup_codes(user)


@transaction.atomic
def reset(target, *, by, reason: str) -> int:
    """Remove every second factor of ``target``, so that they enrol again; logged with ``reason``.

    For a person who lost their phone and their backup codes. Returns how many confirmed
    devices were removed (0 when another chief editor was quicker).
    """
    if not policy.may_reset(by, target):
        raise PermissionDenied("Only another chief editor can reset this person's two-factor sign-in.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give a reason; it is kept in the log."})
    removed = 0
    for device in devices_for_user(target, confirmed=None, for_verify=True):
        removed += device.confirmed  # an enrolment begun but never confirmed protected nothing
        device.delete()
    if removed:
        LogEntry.objects.log_actions(
            user_id=by.pk,
            queryset=[target],
            action_flag=CHANGE,
            change_message=f"Two-factor sign-in reset: {reason}",
            single_object=True,
        )
        logger.warning("Two-factor sign-in of %s reset by %s: %s", target.get_username(), by.get_username(), reason)
    return removed

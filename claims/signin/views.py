"""The sign-in pages, under /admin/signin/ (urls.py wraps each in admin.site.admin_view:
staff only, CSRF, never cached, since these pages show secrets).

- ``overview``: your own second factors; for a chief editor, everyone's, with a reset link.
- ``enrol``: scan a QR code (drawn here, as SVG, by segno: no image service sees the
  secret), type the app's code, get ten backup codes, shown once.
- ``verify``: the code step after the password, for an app code or a backup code.
- ``backup_codes``: a new set of backup codes (POST), from a verified session only.
- ``reset``: another chief editor removes a person's second factors, with a reason.
"""

import math
from base64 import b32encode

import django_otp
import segno
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from claims.signin import devices, policy
from claims.signin.forms import CodeForm, EnrolForm, ResetForm
from claims.signin.middleware import CODE_DUE


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("admin:index")


def _context(request, title: str, **extra) -> dict:
    return {**admin.site.each_context(request), "title": title, "next": _next(request), **extra}


def _signed_in_with(request, device) -> None:
    """Mark this session as having passed its second factor, under a new session key."""
    request.session.cycle_key()
    django_otp.login(request, device)
    request.session[CODE_DUE] = True


def _wait_message(wait_until) -> str:
    seconds = max(1, math.ceil((wait_until - timezone.now()).total_seconds()))
    return f"Too many wrong codes. Wait {seconds} second{'s' if seconds != 1 else ''}, then try again."


def overview(request):
    user = request.user
    people = None
    if user.has_perm(policy.RESET_PERMISSION):
        enrolled = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        people = [
            {"person": person, "may_reset": policy.may_reset(user, person)}
            for person in get_user_model()
            .objects.filter(is_staff=True)
            .annotate(enrolled=Exists(enrolled))
            .order_by("username")
        ]
    context = _context(
        request,
        "Two-factor sign-in",
        app=devices.app_device(user),
        backup_codes_left=devices.backup_codes_left(user),
        verified=policy.is_verified(user),
        requirement=policy.requirement().value,
        people=people,
    )
    return render(request, "admin/signin/overview.html", context)


def enrol(request):
    user = request.user
    if devices.app_device(user) is not None:
        messages.info(request, "Two-factor sign-in is already set up for your account.")
        return redirect("signin:overview")
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check, codes = devices.confirm_enrolment(user, form.cleaned_data["code"])
        if check.done_already:
            messages.info(request, "Two-factor sign-in was set up already (in another tab?).")
            return redirect("signin:overview")
        if check.device is not None:
            _signed_in_with(request, check.device)
            context = _context(request, "Your backup codes", codes=codes)
            return render(request, "admin/signin/backup_codes.html", context)
        form.add_error("code", _wait_message(check.wait_until) if check.wait_until else _WRONG_CODE)
    device = devices.pending_app_device(user)
    secret = b32encode(device.bin_key).decode()
    context = _context(
        request,
        "Set up two-factor sign-in",
        form=form,
        secret=secret,
        secret_groups=[secret[i : i + 4] for i in range(0, len(secret), 4)],
        config_url=device.config_url,
        qr=segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2),
        requirement=policy.requirement().value,
    )
    return render(request, "admin/signin/enrol.html", context, status=400 if form.errors else 200)


_WRONG_CODE = "That code is not right. Check the time on your phone, and type the code the app shows now."


def verify(request):
    user = request.user
    if policy.is_verified(user):
        return redirect(_next(request))
    if not devices.has_second_factor(user):
        request.session.pop(CODE_DUE, None)
        if policy.desk_needs_second_factor(user):
            return redirect(f"{reverse('signin:enrol')}?{urlencode({'next': _next(request)})}")
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = devices.check_code(user, form.cleaned_data["code"])
        if check.device is not None:
            _signed_in_with(request, check.device)
            if isinstance(check.device, StaticDevice):
                left = devices.backup_codes_left(user)
                messages.warning(
                    request,
                    f"You used a backup code; {left} left. Make new ones on the two-factor page before they run out.",
                )
            return redirect(_next(request))
        form.add_error("code", _wait_message(check.wait_until) if check.wait_until else _WRONG_CODE)
    context = _context(request, "Two-factor sign-in", form=form)
    return render(request, "admin/signin/verify.html", context, status=400 if form.errors else 200)


@require_POST
def backup_codes(request):
    if not policy.is_verified(request.user):
        messages.error(request, "Sign in with your authenticator app first.")
        return redirect("signin:overview")
    try:
        codes = devices.replace_backup_codes(request.user)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
        return redirect("signin:overview")
    return render(request, "admin/signin/backup_codes.html", _context(request, "Your backup codes", codes=codes))


def reset(request, user_id: int):
    target = get_object_or_404(get_user_model(), pk=user_id)
    if not policy.may_reset(request.user, target):
        context = _context(request, "Reset two-factor sign-in", target=target, refusal=_refusal(request.user, target))
        return render(request, "admin/signin/reset.html", context, status=403)
    form = ResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        removed = devices.reset(target, by=request.user, reason=form.cleaned_data["reason"])
        name = target.get_username()
        if removed:
            messages.success(request, f"Two-factor sign-in of {name} is reset; they set it up again from the desk.")
        else:
            messages.info(request, f"{name} had no two-factor sign-in to reset.")
        return redirect("signin:overview")
    context = _context(request, "Reset two-factor sign-in", target=target, form=form)
    return render(request, "admin/signin/reset.html", context, status=400 if form.errors else 200)


def _refusal(actor, target) -> str:
    if actor.pk == target.pk:
        return "You cannot reset your own two-factor sign-in: ask another chief editor."
    if target.is_superuser and not actor.is_superuser:
        return "Only a superuser can reset a superuser's two-factor sign-in."
    if policy.holds_by_role(actor, policy.RESET_PERMISSION):
        return "Sign in with your own second factor first: resetting another person's needs it."
    return "Only chief editors can reset another person's two-factor sign-in."

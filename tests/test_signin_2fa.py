"""Two-factor sign-in (django-otp): enrolment, the code step, and what each REQUIRE_2FA value asks.

Every test signs in through the admin's form and the sign-in pages, and types codes
computed here from the key the enrolment page shows, as an authenticator app would.
"""

import datetime
import re

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django_otp import devices_for_user

from claims import services
from claims.models import Claim
from tests.signin_support import (
    ENROL,
    LOGOUT,
    OVERVIEW,
    VERIFY,
    code_for,
    enrol,
    secret_from,
    sign_in,
)

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
NEXT_STEP = datetime.timedelta(seconds=60)  # an app's code is accepted once: later sign-ins use a later one


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["tests.signin_support.CountingHasher"]


@pytest.fixture
def frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def requirement(settings):
    def set_to(value):
        settings.REQUIRE_2FA = value

    return set_to


def publish_from_list(client, claim):
    client.post("/admin/claims/claim/", {"action": "publish_selected", "_selected_action": [claim.pk]})
    claim.refresh_from_db()
    return claim.published_at is not None


def sign_in_again(client, username):
    client.post(LOGOUT)
    answer = sign_in(client, username)
    assert answer.status_code == 302, "the password step"
    return answer


def give_code(client, code, next_url="/admin/"):
    return client.post(VERIFY, {"code": code, "next": next_url})


# --- REQUIRE_2FA=none ------------------------------------------------------------------------


def test_under_none_a_password_is_enough_to_publish(client, chiara, make_claim, requirement, frozen):
    requirement("none")
    claim = make_claim()
    assert sign_in(client, "chiara")["Location"] == "/admin/"
    desk = client.get("/admin/")
    assert desk.status_code == 200 and "signin-notice" not in desk.content.decode()
    assert publish_from_list(client, claim)


def test_under_none_an_account_that_enrolled_gives_its_code_at_each_sign_in(client, elena, requirement, frozen):
    requirement("none")
    sign_in(client, "elena")
    secret, _ = enrol(client)
    assert client.get("/admin/").status_code == 200  # enrolment verified this session

    frozen.shift(NEXT_STEP)
    sign_in_again(client, "elena")
    answer = client.get("/admin/claims/claim/?status=pending")
    assert answer.status_code == 302
    assert answer["Location"] == "/admin/signin/verify/?next=%2Fadmin%2Fclaims%2Fclaim%2F%3Fstatus%3Dpending"
    assert client.get(answer["Location"]).status_code == 200

    wrong = give_code(client, "000000" if code_for(secret) != "000000" else "111111")
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    frozen.shift(datetime.timedelta(seconds=2))  # past the throttle's wait after one wrong code
    right = give_code(client, code_for(secret), "/admin/claims/claim/?status=pending")
    assert right.status_code == 302 and right["Location"] == "/admin/claims/claim/?status=pending"
    assert client.get("/admin/claims/claim/").status_code == 200


# --- REQUIRE_2FA=chief -----------------------------------------------------------------------


@pytest.mark.parametrize(("debug", "expected"), [("0", "chief"), ("1", "none")])
def test_the_default_is_chief_in_production_and_none_in_development(debug, expected):
    from tests.test_register_settings import PRODUCTION, manage

    shown = manage(
        "shell", "-c", "from django.conf import settings; print(settings.REQUIRE_2FA)", **{**PRODUCTION, "DEBUG": debug}
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip().splitlines()[-1] == expected


def test_under_chief_an_unenrolled_chief_edits_but_may_not_publish_or_delete(
    client, chiara, make_claim, requirement, frozen
):
    requirement("chief")
    claim = make_claim()
    sign_in(client, "chiara")
    desk = client.get("/admin/").content.decode()
    assert 'id="signin-notice"' in desk and 'href="/admin/signin/"' in desk
    assert "Publishing and deleting need two-factor sign-in" in desk

    claims_list = client.get("/admin/claims/claim/").content.decode()
    assert "publish_selected" not in claims_list
    assert not publish_from_list(client, claim)
    assert client.get(f"/admin/claims/claim/{claim.pk}/delete/").status_code == 403
    assert client.post(f"/admin/claims/claim/{claim.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Claim.objects.filter(pk=claim.pk).exists()
    change = client.get(f"/admin/claims/claim/{claim.pk}/change/")
    assert change.status_code == 200 and 'name="published_at' not in change.content.decode()  # read-only


def test_under_chief_an_editor_is_not_asked_for_anything(client, elena, requirement, frozen):
    requirement("chief")
    sign_in(client, "elena")
    desk = client.get("/admin/")
    assert desk.status_code == 200 and "signin-notice" not in desk.content.decode()
    assert client.get("/admin/intake/").status_code == 200


def test_under_chief_enrolling_lets_the_chief_publish_and_delete_in_the_same_session(
    client, chiara, make_claim, requirement, frozen
):
    requirement("chief")
    claim, doomed = make_claim(), make_claim()
    sign_in(client, "chiara")
    assert not publish_from_list(client, claim)
    enrol(client)
    assert "signin-notice" not in client.get("/admin/").content.decode()
    assert publish_from_list(client, claim)
    assert client.post(f"/admin/claims/claim/{doomed.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Claim.objects.filter(pk=doomed.pk).exists()


def test_under_chief_a_new_session_gives_the_code_before_anything(client, chiara, make_claim, requirement, frozen):
    requirement("chief")
    claim = make_claim()
    sign_in(client, "chiara")
    secret, _ = enrol(client)
    frozen.shift(NEXT_STEP)
    sign_in_again(client, "chiara")
    assert client.get("/admin/")["Location"].startswith(VERIFY)
    assert not publish_from_list(client, claim)  # the POST is sent to the code page too
    assert give_code(client, code_for(secret)).status_code == 302
    assert publish_from_list(client, claim)


def test_the_permission_layer_covers_the_services_too(chiara, make_claim, settings):
    """A user not from a verified session (a shell, a task) may not publish when REQUIRE_2FA asks for a code."""
    claim = make_claim()
    settings.REQUIRE_2FA = "chief"
    assert not chiara.has_perm("claims.publish_claim") and not chiara.has_perm("claims.delete_claim")
    assert chiara.has_perm("claims.change_claim")
    with pytest.raises(PermissionDenied):
        services.publish(claim, by=chiara)
    settings.REQUIRE_2FA = "none"
    del chiara._perm_cache
    assert services.publish(claim, by=chiara).published_at is not None


def test_under_chief_a_superuser_must_enrol_before_using_the_desk(client, django_user_model, requirement, frozen):
    requirement("chief")
    django_user_model.objects.create_superuser("root", "root@newsroom.example", "correct horse battery")
    sign_in(client, "root")
    assert client.get("/admin/")["Location"] == "/admin/signin/enrol/?next=%2Fadmin%2F"
    enrol(client)
    assert client.get("/admin/").status_code == 200


# --- REQUIRE_2FA=staff -----------------------------------------------------------------------


def test_under_staff_the_desk_and_intake_wait_for_enrolment(client, elena, requirement, frozen):
    requirement("staff")
    sign_in(client, "elena")
    for path in ["/admin/", "/admin/intake/", "/admin/claims/claim/", "/admin/password_change/"]:
        answer = client.get(path)
        assert answer.status_code == 302 and answer["Location"].startswith(ENROL), path
    page = client.get(ENROL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Every account of the desk signs in with a second factor" in text
    assert 'src="data:image/svg+xml' in text  # the QR code, drawn here
    enrol(client)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/intake/").status_code == 200


def test_under_staff_a_new_session_gives_the_code_first(client, elena, requirement, frozen):
    requirement("staff")
    sign_in(client, "elena")
    secret, _ = enrol(client)
    frozen.shift(NEXT_STEP)
    sign_in_again(client, "elena")
    assert client.get("/admin/intake/")["Location"] == "/admin/signin/verify/?next=%2Fadmin%2Fintake%2F"
    assert client.get(ENROL)["Location"] == OVERVIEW  # enrolled already: no second enrolment
    assert give_code(client, code_for(secret), "/admin/intake/")["Location"] == "/admin/intake/"
    assert client.get("/admin/intake/").status_code == 200


def test_under_staff_signing_out_needs_no_code(client, elena, requirement, frozen):
    requirement("staff")
    sign_in(client, "elena")
    assert client.post(LOGOUT).status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_reader_account_is_sent_to_the_password_page_not_to_enrolment(client, rita, requirement, frozen):
    requirement("staff")
    client.force_login(rita)
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    assert client.get(ENROL)["Location"].startswith("/admin/login/")


# --- Enrolment and codes -------------------------------------------------------------------


def test_the_enrolment_page_shows_a_key_that_an_app_can_use(client, elena, frozen, settings):
    settings.OTP_TOTP_ISSUER = "Daily Example"
    client.force_login(elena)
    page = client.get(ENROL)
    text = page.content.decode()
    secret = secret_from(page)
    assert len(secret) == 32  # 160 bits
    assert f"otpauth://totp/Daily%20Example%3Aelena?secret={secret}" in _config_url(client, elena)
    assert "no-store" in page["Cache-Control"]
    assert not re.search(r"<script(?![^>]*\bsrc=)", text), "no inline script (CSP)"
    assert not re.search(r'(src|href)="(https?:)?//', text), "nothing from another site"
    # Two tabs show the same key; the code of either confirms.
    assert secret_from(client.get(ENROL)) == secret


def _config_url(client, user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.get(user=user, confirmed=False).config_url


def test_a_wrong_or_absurd_enrolment_code_is_refused_clearly(client, elena, frozen):
    client.force_login(elena)
    secret = secret_from(client.get(ENROL))
    for code in ["12345", "x" * 10_000, ""]:
        frozen.shift(datetime.timedelta(seconds=70))  # past any throttle
        answer = client.post(ENROL, {"code": code})
        assert answer.status_code == 400
        assert secret_from(answer) == secret
    assert not list(devices_for_user(elena))


def test_enrolment_confirmed_in_another_tab_is_not_done_twice(client, elena, frozen):
    client.force_login(elena)
    secret, codes = enrol(client)
    again = client.post(ENROL, {"code": code_for(secret)})
    assert again.status_code == 302 and again["Location"] == OVERVIEW
    assert len(list(devices_for_user(elena))) == 2  # the app and one set of backup codes
    from django_otp.plugins.otp_static.models import StaticToken

    assert sorted(StaticToken.objects.filter(device__user=elena).values_list("token", flat=True)) == sorted(codes)


def test_a_backup_code_works_once(client, elena, requirement, frozen):
    requirement("staff")
    sign_in(client, "elena")
    _, codes = enrol(client)

    sign_in_again(client, "elena")
    used = give_code(client, codes[0].upper()[:4] + "-" + codes[0][4:])  # as typed from a printout
    assert used.status_code == 302
    assert "9 left" in client.get("/admin/").content.decode()

    sign_in_again(client, "elena")
    assert give_code(client, codes[0]).status_code == 400
    frozen.shift(datetime.timedelta(seconds=2))
    assert give_code(client, codes[1]).status_code == 302


def test_wrong_codes_make_the_next_try_wait(client, elena, requirement, frozen):
    requirement("staff")
    sign_in(client, "elena")
    secret, _ = enrol(client)
    frozen.shift(NEXT_STEP)
    sign_in_again(client, "elena")
    for _ in range(3):
        give_code(client, "000000" if code_for(secret) != "000000" else "111111")
        frozen.shift(datetime.timedelta(seconds=0.5))
    refused = give_code(client, code_for(secret))
    assert refused.status_code == 400 and "Too many wrong codes. Wait" in refused.content.decode()
    frozen.shift(datetime.timedelta(seconds=4))
    assert give_code(client, code_for(secret)).status_code == 302


def test_new_backup_codes_replace_the_old_ones(client, elena, requirement, frozen):
    requirement("staff")
    sign_in(client, "elena")
    _, old = enrol(client)
    from tests.signin_support import backup_codes_from

    new = backup_codes_from(client.post("/admin/signin/backup-codes/"))
    assert len(new) == 10 and not set(new) & set(old)
    sign_in_again(client, "elena")
    assert give_code(client, old[0]).status_code == 400
    frozen.shift(datetime.timedelta(seconds=2))
    assert give_code(client, new[0]).status_code == 302


def test_the_code_page_does_not_send_people_elsewhere(client, elena, requirement, frozen):
    requirement("staff")
    sign_in(client, "elena")
    secret, _ = enrol(client)
    frozen.shift(NEXT_STEP)
    sign_in_again(client, "elena")
    answer = give_code(client, code_for(secret), "https://evil.example/admin/")
    assert answer.status_code == 302 and answer["Location"] == "/admin/"


# --- Reset by another chief editor --------------------------------------------------------------


@pytest.fixture
def carla(db, django_user_model):
    """A second chief editor."""
    from tests.conftest import make_user

    return make_user(django_user_model, "carla", groups=["Editors", "Chief editors"])


def reset(client, person, reason="Lost her phone and her backup codes; asked in person"):
    return client.post(f"/admin/signin/reset/{person.pk}/", {"reason": reason})


def test_another_chief_resets_a_persons_second_factor_with_a_reason(client_factory, chiara, elena, requirement, frozen):
    requirement("staff")
    elenas, chiaras = client_factory(), client_factory()
    sign_in(elenas, "elena")
    enrol(elenas)
    sign_in(chiaras, "chiara")
    enrol(chiaras)

    people = chiaras.get(OVERVIEW).content.decode()
    assert f'href="/admin/signin/reset/{elena.pk}/"' in people
    assert f'href="/admin/signin/reset/{chiara.pk}/"' not in people
    assert chiaras.get(f"/admin/signin/reset/{elena.pk}/").status_code == 200
    assert reset(chiaras, elena, reason="  ").status_code == 400
    assert list(devices_for_user(elena, confirmed=None))

    done = reset(chiaras, elena)
    assert done.status_code == 302 and done["Location"] == OVERVIEW
    assert not list(devices_for_user(elena, confirmed=None))
    entry = LogEntry.objects.get(object_id=str(elena.pk))
    assert entry.user == chiara
    assert entry.change_message == "Two-factor sign-in reset: Lost her phone and her backup codes; asked in person"
    # Her session lost its second factor with the device: she enrols again before the desk.
    answer = elenas.get("/admin/", follow=True)
    assert answer.redirect_chain[-1][0].startswith(ENROL)
    # A second reset (another chief was quicker, or a double click) changes nothing and logs nothing.
    assert reset(chiaras, elena).status_code == 302
    assert LogEntry.objects.filter(object_id=str(elena.pk)).count() == 1


def test_a_chief_cannot_reset_their_own_second_factor(client, chiara, requirement, frozen):
    requirement("chief")
    sign_in(client, "chiara")
    enrol(client)
    refused = reset(client, chiara)
    assert refused.status_code == 403 and "ask another chief editor" in refused.content.decode()
    assert list(devices_for_user(chiara))


def test_an_editor_cannot_reset_anyones(client_factory, chiara, elena, requirement, frozen):
    requirement("none")
    chiaras, elenas = client_factory(), client_factory()
    sign_in(chiaras, "chiara")
    enrol(chiaras)
    sign_in(elenas, "elena")
    refused = reset(elenas, chiara)
    assert refused.status_code == 403 and "Only chief editors" in refused.content.decode()
    assert "signin-people" not in elenas.get(OVERVIEW).content.decode()
    assert list(devices_for_user(chiara))


def test_under_chief_a_chief_without_a_second_factor_cannot_reset(client_factory, carla, elena, requirement, frozen):
    requirement("chief")
    elenas, carlas = client_factory(), client_factory()
    sign_in(elenas, "elena")
    enrol(elenas)
    sign_in(carlas, "carla")
    refused = reset(carlas, elena)
    assert refused.status_code == 403 and "Sign in with your own second factor first" in refused.content.decode()
    assert list(devices_for_user(elena))


def test_resetting_an_unknown_account_is_not_found(client, chiara):
    client.force_login(chiara)
    assert client.post("/admin/signin/reset/987654/", {"reason": "test"}).status_code == 404


# --- Cost -------------------------------------------------------------------------------------


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client


def test_the_overview_costs_the_same_however_many_people(client, chiara, django_user_model, django_assert_num_queries):
    from tests.conftest import make_user

    client.force_login(chiara)
    for n in range(5):
        make_user(django_user_model, f"editor-{n}", groups=["Editors"])
    # session, user, permissions (2), own app device, own backup codes, people
    with django_assert_num_queries(7):
        assert client.get(OVERVIEW).status_code == 200


@pytest.mark.parametrize("username", ["elena", "chiara"])
def test_the_claim_list_costs_no_query_more_under_chief_than_under_none(
    client, elena, chiara, make_claim, requirement, username
):
    """The notice reads the permissions the list has loaded already; the middleware reads the session."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_claim()
    client.force_login(elena if username == "elena" else chiara)
    counts = {}
    for value in ["none", "chief"]:
        requirement(value)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/admin/claims/claim/").status_code == 200
        counts[value] = len(queries)
    assert counts["chief"] == counts["none"]


@pytest.mark.parametrize(
    ("value", "chief", "says"),
    [("chief", True, "before publishing or deleting"), ("staff", False, "before using the desk"), ("none", True, None)],
)
def test_create_editor_says_what_the_account_must_set_up(db, settings, value, chief, says):
    import io

    from django.core.management import call_command

    settings.REQUIRE_2FA = value
    out = io.StringIO()
    call_command("create_editor", "alice", *(["--chief"] if chief else []), stdout=out)
    assert ("two-factor" in out.getvalue()) == bool(says)
    assert says is None or says in out.getvalue()


@pytest.mark.parametrize("value", ["none", "chief", "staff"])
def test_a_password_alone_resets_nobody_not_even_a_superusers(
    client_factory, django_user_model, chiara, carla, requirement, frozen, value
):
    """A reset opens the target's account to whoever holds its password: it needs the actor's own code."""
    requirement(value)
    from tests.conftest import make_user

    sam = make_user(django_user_model, "sam")
    sam.is_superuser = True
    sam.save()
    for name in ("sam", "carla", "chiara"):
        enrol(sign_in_in(client_factory(), name))
    frozen.shift(NEXT_STEP)
    for name in ("sam", "carla"):  # a superuser and a chief, each with their password only
        attacker = client_factory()
        assert sign_in(attacker, name).status_code == 302
        page = attacker.get(f"/admin/signin/reset/{chiara.pk}/")
        assert page.status_code in (302, 403), (name, page.status_code)
        assert reset(attacker, chiara).status_code in (302, 403)
        assert list(devices_for_user(chiara)), f"{name}'s password alone reset chiara's second factor"
        assert attacker.get(OVERVIEW)["Location"].startswith(VERIFY), "the overview waits for the code too"


def sign_in_in(client, name):
    assert sign_in(client, name).status_code == 302
    return client

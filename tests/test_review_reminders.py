"""Reviews waiting longer than REVIEW_REMIND_HOURS appear in the chief editors' reminder digests, once per period."""

import datetime

import pytest
import time_machine
from django.core import mail

from claims import services
from claims.reminders.sweep import sweep
from tests.conftest import make_user
from tests.test_reminders_schedule import at

pytestmark = [pytest.mark.django_db, pytest.mark.review_rule]
D = datetime.date


@pytest.fixture
def marco(django_user_model):
    return make_user(django_user_model, "marco", groups=["Editors", "Chief editors"])


def told(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def test_a_review_waiting_too_long_is_listed_to_each_chief_once_per_period(settings, make_claim, elena, chiara, marco):
    settings.REVIEW_REMIND_HOURS = 24
    start = at(D(2026, 3, 2))
    with time_machine.travel(start, tick=False):
        claim = make_claim(deadline_end=D(2027, 12, 31))  # no deadline reminder near
        review = services.request_review(claim, by=elena, reason="Ready: two sources", publish=True)
    with time_machine.travel(start + datetime.timedelta(hours=23), tick=False):
        sweep()
    assert mail.outbox == []
    with time_machine.travel(start + datetime.timedelta(hours=25), tick=False):
        sweep()
        sweep()  # a second sweep soon after lists nothing again
    assert len(mail.outbox) == 2 and not told("elena@newsroom.example")
    (message,) = told("chiara@newsroom.example")
    assert message.subject == "Claim deadlines: 1 review waiting"
    assert "Ready: two sources" in message.body and f"/admin/claims/review/{review.pk}/change/" in message.body
    assert "Waiting for review" in message.alternatives[0][0]
    with time_machine.travel(start + datetime.timedelta(hours=50), tick=False):
        sweep()
    assert len(told("chiara@newsroom.example")) == 2  # still waiting a period later: listed again
    services.approve_review(review, by=marco)
    with time_machine.travel(start + datetime.timedelta(hours=80), tick=False):
        sweep()
    assert len(mail.outbox) == 4  # decided: no longer listed


def test_a_chief_with_claims_due_gets_one_digest_and_never_their_own_review(make_claim, elena, chiara, marco):
    start = at(D(2026, 11, 26))
    with time_machine.travel(start - datetime.timedelta(days=3), tick=False):
        services.request_review(make_claim(deadline_end=D(2027, 12, 31)), by=chiara, reason="Mine", publish=True)
        services.request_review(make_claim(deadline_end=D(2027, 12, 31)), by=elena, reason="Elena's", publish=True)
    with time_machine.travel(start, tick=False):
        make_claim(assignee=chiara, deadline_end=D(2026, 11, 26))
        sweep()
    (message,) = told("chiara@newsroom.example")
    assert message.subject == "Claim deadlines: 1 due today; 1 review waiting"
    assert "Elena's" in message.body and "Mine" not in message.body
    (other,) = told("marco@newsroom.example")
    assert "Elena's" in other.body and "Mine" in other.body


def test_reviews_nobody_could_be_told_of_are_listed_by_the_next_sweep(settings, make_claim, elena, chiara):
    start = at(D(2026, 3, 2))
    with time_machine.travel(start, tick=False):
        services.request_review(make_claim(deadline_end=D(2027, 12, 31)), by=elena, reason="Ready", publish=True)
    settings.EMAIL_BACKEND = "tests.test_review_reminders.FailingBackend"
    with time_machine.travel(start + datetime.timedelta(hours=30), tick=False):
        sweep()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(start + datetime.timedelta(hours=31), tick=False):
        sweep()
    assert len(told("chiara@newsroom.example")) == 1


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("SMTP down")

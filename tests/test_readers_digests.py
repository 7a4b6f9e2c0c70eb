"""The followers' sweep with a real SMTP server: confirmations first, digests of public changes only.

The sweep runs in this process (tests/test_readers_worker.py runs it in a real worker);
the emails go to an aiosmtpd server started by the test and are read back from it.
"""

# Fixtures imported from the support modules are used as test arguments, which ruff reads as redefinitions.
# ruff: noqa: F811

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims import services
from claims.models import Claim, ReaderEvent, ReaderMessage, ReaderTip, Status, Subscription
from claims.readers import digests, subscriptions, tips
from claims.readers.digests import NOT_FOLLOWING, NOT_PUBLISHED, retry_delay
from tests.test_readers_support import (
    FOLLOW_CONFIRM,
    TIP_CONFIRM,
    change_status,
    confirmed,
    header,
    path_of,
    reader,
    sweep,
    text_of,
)
from tests.test_reminders_support import smtp, smtp_server  # noqa: F401 - fixtures

pytest_plugins = ["tests.test_readers_support"]


@pytest.fixture
def published(make_claim, system):
    def make(**fields):
        return make_claim(published_at=timezone.now(), **fields)

    return make


def to(smtp, address: str) -> list:
    return [message for message in smtp.messages if message["X-Envelope-To"] == address]


def test_only_the_confirmation_is_sent_until_the_reader_confirms_then_a_digest_of_each_change(
    published, system, smtp, client
):
    claim = published(statement="Acme will open 12 stores in Lyon by 2027.")
    subscriptions.follow(" Ana@Example.ORG ", claim=claim)

    first = sweep()
    assert (first.emails, first.sent) == (1, 1)
    (confirmation,) = smtp.messages
    assert confirmation["X-Envelope-To"] == "ana@example.org", "stored and sent in lower case"
    assert header(confirmation, "Subject").startswith("Please confirm: follow the claim")
    assert header(confirmation, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert header(confirmation, "List-Unsubscribe").startswith("<http://127.0.0.1:8000/follow/unsubscribe/")
    body = text_of(confirmation)
    assert "Acme will open 12 stores in Lyon by 2027." in body
    assert "/follow/manage/" in body

    # A public change before the reader confirmed: nothing is sent about it, ever.
    change_status(claim, Status.IN_PROGRESS, system)
    assert sweep().emails == 0

    link = FOLLOW_CONFIRM.search(body).group(0)
    page = client.get(path_of(link))
    assert page.status_code == 200 and b"Confirm" in page.content
    assert Subscription.objects.get().confirmed_at is None, "opening the link confirms nothing"
    assert client.post(path_of(link)).status_code == 200
    assert Subscription.objects.get().confirmed_at is not None

    change_status(claim, Status.STALLED, system)
    result = sweep()
    assert (result.emails, result.sent) == (1, 1)
    digest = smtp.messages[-1]
    assert header(digest, "Subject") == "Claims you follow: 1 change"
    text = text_of(digest)
    assert "Status changed to Stalled" in text and "(previously: In the works)" in text
    assert "In the works" in text and "Acme will open 12 stores in Lyon by 2027." in text
    assert len(smtp.messages) == 2
    assert sweep().claimed == 0, "each change is told once"


def test_a_digest_shows_every_kind_of_change_in_the_claims_words_of_now(published, make_claim, system, smtp):
    status_changed = published(statement="First wording of the status claim.")
    corrected = published(statement="A claim that we corrected.")
    draft = make_claim(statement="A claim published after the reader confirmed.")
    confirmed("ben@example.org")

    change_status(status_changed, Status.MISSED, system, resolved_on=datetime.date(2026, 12, 1))
    status_changed.refresh_from_db()
    status_changed.statement = "Second wording of the status claim."
    services.save_claim(status_changed, by=system, reason="Wording")  # no event: readers are told no wording fix
    corrected.refresh_from_db()
    corrected.deadline_text = "by the end of 2026"
    services.save_claim(corrected, by=system, reason="Fix", correction="We had the deadline wrong.")
    services.publish(draft, by=system)

    result = sweep()
    assert (result.emails, result.sent) == (1, 3), "one digest for the reader, with the three changes"
    (digest,) = smtp.messages
    text = text_of(digest)
    assert "Second wording of the status claim." in text
    assert "First wording" not in text, "the claim's words of now, not of the change"
    assert "Status changed to Missed" in text and "(previously: Not yet rated)" in text
    assert "Corrected on" in text and "We had the deadline wrong." in text
    assert "A claim published after the reader confirmed." in text and "Published on" in text
    assert header(digest, "Subject") == "Claims you follow: 3 changes"
    assert "<li>" in digest.get_payload()[1].get_payload(decode=True).decode(), "an HTML part too"


def test_no_email_and_no_event_for_a_draft_or_an_internal_change(make_claim, published, system, elena, smtp):
    confirmed("cleo@example.org")
    draft = make_claim(statement="A draft nobody outside sees.")
    change_status(draft, Status.MISSED, system, resolved_on=datetime.date(2026, 12, 1))
    draft.refresh_from_db()
    draft.statement = "A draft, reworded."
    services.save_claim(draft, by=system, reason="Draft edit")
    claim = published()
    ReaderEvent.objects.all().delete()  # its publication is not what this test is about
    claim.refresh_from_db()
    claim.notes = "Internal: call the press office."
    services.save_claim(claim, by=system, reason="Notes")
    services.assign(claim, elena, by=system)

    assert ReaderEvent.objects.count() == 0
    result = sweep()
    assert (result.events, result.emails, smtp.messages) == (0, 0, [])


def test_a_claim_taken_down_before_its_digest_goes_out_is_not_mentioned(published, system, smtp):
    kept, taken_down = published(statement="Still on the site."), published(statement="Taken down.")
    confirmed("dan@example.org")
    change_status(kept, Status.IN_PROGRESS, system)
    change_status(taken_down, Status.IN_PROGRESS, system)
    digests.fan_out(timezone.now())
    taken_down.refresh_from_db()
    services.unpublish(taken_down, by=system)

    result = sweep()
    assert (result.emails, result.sent, result.cancelled) == (1, 1, 1)
    text = text_of(smtp.messages[0])
    assert "Still on the site." in text and "Taken down." not in text
    cancelled = ReaderMessage.objects.get(kind=ReaderMessage.Kind.CHANGE, cancelled_at__isnull=False)
    assert (cancelled.event.claim_id, cancelled.last_error) == (taken_down.pk, NOT_PUBLISHED)


def test_claimant_followers_hear_of_its_claims_and_a_later_follower_not_of_older_changes(
    published, claimant, system, smtp
):
    other = services.get_or_create_claimant("Renault", by=system, reason="test")[0]
    confirmed("eve@example.org", claimant=claimant)
    theirs = published(statement="Nissan will do it.")
    published(statement="Renault will do it.", claimant=other)
    confirmed("fay@example.org", claimant=claimant)  # after those publications

    sweep()
    assert [m["X-Envelope-To"] for m in smtp.messages] == ["eve@example.org"]
    text = text_of(smtp.messages[0])
    assert "Nissan will do it." in text and "Renault" not in text

    change_status(theirs, Status.STALLED, system)
    sweep()
    assert sorted(m["X-Envelope-To"] for m in smtp.messages[1:]) == ["eve@example.org", "fay@example.org"]


def test_an_overdue_deadline_is_told_once(published, system, smtp):
    with time_machine.travel(datetime.datetime(2026, 12, 3, 9, tzinfo=datetime.UTC), tick=False) as traveller:
        claim = published(statement="Due on the 5th.", deadline_end=datetime.date(2026, 12, 5))
        confirmed("gus@example.org", claim=claim)
        assert sweep().overdue == 0
        traveller.move_to(datetime.datetime(2026, 12, 6, 9, tzinfo=datetime.UTC))
        result = sweep()
        assert (result.overdue, result.emails) == (1, 1)
        assert "Its deadline (5 December 2026) passed and it is still open." in text_of(smtp.messages[0])
        traveller.move_to(datetime.datetime(2026, 12, 7, 9, tzinfo=datetime.UTC))
        assert (sweep().overdue, len(smtp.messages)) == (0, 1)

        # Moved later and passed again: news again.
        claim.refresh_from_db()
        claim.deadline_end = datetime.date(2026, 12, 8)
        services.save_claim(claim, by=system, reason="New date announced")
        traveller.move_to(datetime.datetime(2026, 12, 9, 9, tzinfo=datetime.UTC))
        assert sweep().overdue == 1
    assert len(smtp.messages) == 2


def test_an_smtp_server_refusing_then_accepting_gets_the_digest_once(published, system, smtp):
    claim = published()
    confirmed("hal@example.org", claim=claim)
    smtp.handler.refuse = 1
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        change_status(claim, Status.IN_PROGRESS, system)
        first = sweep()
        assert (first.failed, first.emails, smtp.messages) == (1, 0, [])
        row = ReaderMessage.objects.get(kind=ReaderMessage.Kind.CHANGE)
        assert row.state == "retrying" and "451" in row.last_error
        assert sweep().claimed == 0, "not before its backoff"
        traveller.shift(retry_delay(1) + datetime.timedelta(seconds=1))
        assert sweep().sent == 1
        assert sweep().claimed == 0
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("sent", 2)
    assert len(to(smtp, "hal@example.org")) == 1


def test_a_reader_who_stops_following_gets_nothing_of_what_was_waiting(published, system, smtp):
    claim, other = published(), published()
    subscription = confirmed("ida@example.org", claim=claim)
    confirmed("ida@example.org", claim=other)
    change_status(claim, Status.IN_PROGRESS, system)
    change_status(other, Status.IN_PROGRESS, system)
    digests.fan_out(timezone.now())
    assert subscriptions.stop(reader("ida@example.org"), subscription.pk)  # cancels what waited for it

    result = sweep()
    assert (result.emails, result.sent) == (1, 1)
    cancelled = ReaderMessage.objects.get(kind=ReaderMessage.Kind.CHANGE, cancelled_at__isnull=False)
    assert (cancelled.event.claim_id, cancelled.last_error) == (claim.pk, NOT_FOLLOWING)
    assert other.statement in text_of(smtp.messages[0]) and claim.statement not in text_of(smtp.messages[0])


def test_a_tipster_who_confirmed_is_told_once_when_a_claim_from_the_tip_is_published(make_claim, system, smtp, client):
    tip = tips.submit(statement="The mayor said 500 homes by 2028.", claimant="City of Example", email="jo@example.org")
    sweep()
    (confirmation,) = smtp.messages
    assert "500 homes" not in text_of(confirmation), "a stranger's words are never mailed to an address"
    link = path_of(TIP_CONFIRM.search(text_of(confirmation)).group(0))
    assert client.post(link).status_code == 200
    first, second = make_claim(statement="The city will build 500 homes by 2028."), make_claim()
    tips.link_claims(tip.pk, [first, second], by=system)

    services.publish(first, by=system)
    sweep()
    notice = smtp.messages[-1]
    assert header(notice, "Subject") == "A claim from your tip is now on our tracker"
    assert "The city will build 500 homes by 2028." in text_of(notice)
    services.publish(second, by=system)
    sweep()
    assert len(smtp.messages) == 2, "told once per tip"
    assert ReaderTip.objects.get().state == ReaderTip.State.ACCEPTED


def test_a_tipster_confirming_after_the_publication_is_told_then(make_claim, system, smtp):
    tip = tips.submit(statement="A promise.", claimant="Someone", email="kim@example.org")
    claim = make_claim(published_at=timezone.now())
    tips.link_claims(tip.pk, [claim], by=system)
    tips.confirm_email(tip.pk)
    tips.confirm_email(tip.pk)  # twice: harmless
    sweep()
    subjects = [header(m, "Subject") for m in smtp.messages]
    assert subjects.count("A claim from your tip is now on our tracker") == 1
    # The confirmation queued before was cancelled: the address is confirmed already.
    assert ReaderMessage.objects.get(kind=ReaderMessage.Kind.CONFIRM_TIP).last_error == "Confirmed already."


def test_the_sweep_costs_two_queries_per_email_however_many_changes(published, system, smtp):
    def queries_for(readers: int) -> int:
        ReaderMessage.objects.all().delete()
        Subscription.objects.all().delete()
        claims = [published() for _ in range(3)]
        for n in range(readers):
            confirmed(f"reader{n}-{readers}@example.org")
        for claim in claims:
            change_status(claim, Status.IN_PROGRESS, system)
        with CaptureQueriesContext(connection) as queries:
            result = sweep()
        assert result.emails == readers and result.sent == 3 * readers
        return len(queries)

    assert queries_for(6) - queries_for(2) == 2 * 4
    assert Claim.objects.count() == 6

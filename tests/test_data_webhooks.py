"""Webhooks for partners: signed deliveries of public changes to a real HTTP server, retries, order, refusals."""

import datetime
import json
import time

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from standardwebhooks import Webhook

from claims import services
from claims.models import Status, WebhookDelivery, WebhookEndpoint, WebhookEvent
from claims.webhooks import sender, transport
from tests.test_data_webhooks_support import receiver, trickling_server  # noqa: F401 - fixtures

ALL_EVENTS = list(WebhookEvent.values)


@pytest.fixture(autouse=True)
def local_endpoints(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.WEBHOOK_RETRY_SECONDS = 60


@pytest.fixture
def endpoint(receiver):  # noqa: F811
    return WebhookEndpoint.objects.create(url=receiver.url, description="Partner", events=ALL_EVENTS)


def verified(request, endpoint) -> dict:
    """The body, checked as a partner checks it: the standardwebhooks package's verification."""
    return Webhook(endpoint.secret).verify(request["body"], request["headers"])


def test_a_publication_is_delivered_signed_with_the_claims_public_json(client, make_claim, chiara, endpoint, receiver):  # noqa: F811
    claim = make_claim(notes="Internal: the mayor's office is slow.")
    services.publish(claim, by=chiara)
    assert sender.sweep().delivered == 1
    (request,) = receiver.requests
    assert request["path"] == "/hooks/factcheck"
    body = verified(request, endpoint)
    api = client.get(reverse("api-claim-detail", kwargs={"slug": claim.slug})).json()
    assert body["type"] == "claim.published"
    assert body["data"] == {key: value for key, value in api.items() if key not in ("updates", "appearances")}
    assert "Internal" not in request["body"].decode() and "notes" not in body["data"]
    delivery = WebhookDelivery.objects.get()
    assert request["headers"]["webhook-id"] == delivery.msg_id
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 1, 200)
    # A tampered body fails the same check.
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(endpoint.secret).verify(request["body"] + b" ", request["headers"])


def test_the_signature_is_the_specs_hmac(make_claim, chiara, endpoint, receiver):  # noqa: F811
    import base64
    import hashlib
    import hmac

    services.publish(make_claim(), by=chiara)
    sender.sweep()
    (request,) = receiver.requests
    headers = request["headers"]
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + request["body"]
    key = base64.b64decode(endpoint.secret.removeprefix("whsec_"))
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == expected and endpoint.secret.startswith("whsec_")


def test_drafts_and_internal_edits_send_nothing_and_endpoints_get_only_their_events(make_claim, chiara, receiver):  # noqa: F811
    corrections_only = WebhookEndpoint.objects.create(url=receiver.url, events=["claim.corrected"])
    draft = make_claim()
    services.change_status(draft, Status.STALLED, by=chiara, reason="A draft's status")
    assert not WebhookDelivery.objects.exists()
    services.publish(draft, by=chiara)
    draft.notes = "Internal."
    services.save_claim(draft, by=chiara, reason="A note")
    services.assign(draft, chiara, by=chiara)
    assert not WebhookDelivery.objects.exists()  # the corrections-only endpoint does not want a publication
    draft.verdict = "We had the date wrong."
    services.save_claim(draft, by=chiara, reason="Fix", correction="The deadline was misread.")
    (delivery,) = WebhookDelivery.objects.all()
    assert (delivery.endpoint, delivery.event) == (corrections_only, "claim.corrected")
    assert json.loads(delivery.payload)["correction"] == "The deadline was misread."


def test_a_500_is_retried_after_the_backoff_with_the_same_id(make_claim, chiara, endpoint, receiver):  # noqa: F811
    receiver.statuses = [500]
    services.publish(make_claim(), by=chiara)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert sender.sweep().failed == 1
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.response_code, delivery.attempts) == ("pending", 500, 1)
        assert delivery.next_attempt_at == start + datetime.timedelta(seconds=60)
        assert sender.sweep().delivered == 0  # not before its time
    with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
        assert sender.sweep().delivered == 1
        first, second = receiver.requests
        assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"]
        assert first["headers"]["webhook-timestamp"] != second["headers"]["webhook-timestamp"]
        verified(second, endpoint)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0
    # The backoff doubles: 60 s, 120 s, 240 s ... at most a day.
    assert [sender.backoff(n).total_seconds() for n in (1, 2, 3, 20)] == [60, 120, 240, 86400]


def test_a_claims_later_event_waits_for_its_earlier_one(make_claim, chiara, endpoint, receiver):  # noqa: F811
    receiver.statuses = [503]
    claim = services.publish(make_claim(), by=chiara)
    services.change_status(claim, Status.STALLED, by=chiara, reason="Works halted")
    other = services.publish(make_claim(), by=chiara)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        result = sender.sweep()
    assert (result.failed, result.delivered) == (1, 1)  # the other claim's publication is not held up
    assert [json.loads(r["body"])["data"]["slug"] for r in receiver.requests] == [claim.slug, other.slug]
    with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
        assert sender.sweep().delivered == 2
    types = [
        json.loads(r["body"])["type"] for r in receiver.requests if json.loads(r["body"])["data"]["slug"] == claim.slug
    ]
    assert types == ["claim.published", "claim.published", "claim.status_changed"]


def test_an_endpoint_failing_again_and_again_is_disabled_and_chief_editors_are_told(
    settings,
    make_claim,
    chiara,
    elena,
    endpoint,
    receiver,  # noqa: F811
):
    settings.WEBHOOK_MAX_FAILURES = 3
    receiver.statuses = [500] * 10
    services.publish(make_claim(), by=chiara)
    moment = timezone.now()
    for _ in range(3):
        with time_machine.travel(moment, tick=False):
            sender.sweep()
        moment += datetime.timedelta(days=1)
    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.consecutive_failures == 3 and endpoint.disabled_at
    (email,) = mail.outbox
    assert email.to == [chiara.email] and "disabled" in email.subject and "HTTP 500" in email.body
    with time_machine.travel(moment, tick=False):
        assert sender.sweep().failed == 0  # nothing is sent to a disabled endpoint
    assert len(receiver.requests) == 3 and WebhookDelivery.objects.get().status == "pending"


def test_a_private_address_is_refused_after_resolution_unless_allowed(settings, make_claim, chiara, endpoint, receiver):  # noqa: F811
    settings.WEBHOOK_ALLOW_PRIVATE = False
    endpoint.url = receiver.url.replace("127.0.0.1", "localhost")
    endpoint.save()
    services.publish(make_claim(), by=chiara)
    assert sender.sweep().failed == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.last_error.startswith("refused: localhost resolves to") and receiver.requests == []
    for address in ("10.0.0.7", "192.168.1.1", "169.254.169.254", "::1", "fe80::1", "0.0.0.0", "::ffff:127.0.0.1"):
        assert transport._forbidden(address), address
    assert not transport._forbidden("93.184.216.34")


def test_an_unpublished_claim_is_announced_without_its_content(make_claim, chiara, endpoint, receiver):  # noqa: F811
    claim = services.publish(make_claim(verdict="On track."), by=chiara)
    services.unpublish(claim, by=chiara)
    assert sender.sweep().delivered == 2
    body = verified(receiver.requests[1], endpoint)
    assert body["type"] == "claim.unpublished"
    assert set(body["data"]) == {"slug", "url", "api_url"}


def test_a_takedown_strips_the_text_from_deliveries_still_waiting(make_claim, chiara, endpoint, receiver):  # noqa: F811
    """A partner that was down when a claim was published never gets its text after it was taken down."""
    receiver.statuses = [503]
    claim = services.publish(make_claim(statement="Mr Example will build a tower by 2030."), by=chiara)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert sender.sweep().failed == 1  # the publication waits for its retry
    services.unpublish(claim, by=chiara, reason="Legal request")
    with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
        assert sender.sweep().delivered == 2
    later = [verified(request, endpoint) for request in receiver.requests[1:]]
    assert [body["type"] for body in later] == ["claim.published", "claim.unpublished"]
    assert all(set(body["data"]) == {"slug", "url", "api_url"} for body in later)
    assert not any("Mr Example" in request["body"].decode() for request in receiver.requests[1:])


def test_only_chief_editors_manage_endpoints_and_the_secret_is_shown_once(client, elena, chiara, receiver):  # noqa: F811
    add = reverse("admin:claims_webhookendpoint_add")
    client.force_login(elena)
    assert client.get(add).status_code == 403
    assert client.get(reverse("admin:claims_webhookdelivery_changelist")).status_code == 403
    client.force_login(chiara)
    response = client.post(
        add, {"url": receiver.url, "description": "Partner", "events": ["claim.published"], "active": "on",
              "deliveries-TOTAL_FORMS": "0", "deliveries-INITIAL_FORMS": "0"}, follow=True,
    )  # fmt: skip
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in response.content.decode() and endpoint.created_by == chiara
    page = client.get(reverse("admin:claims_webhookendpoint_change", args=[endpoint.pk])).content.decode()
    assert endpoint.secret not in page


def test_an_endpoints_page_shows_its_latest_deliveries(client, chiara, make_claim, endpoint, receiver):  # noqa: F811
    receiver.statuses = [500]
    claim = services.publish(make_claim(), by=chiara)
    sender.sweep()
    client.force_login(chiara)
    page = client.get(reverse("admin:claims_webhookendpoint_change", args=[endpoint.pk])).content.decode()
    assert claim.slug in page and "HTTP 500" in page and "claim.published" in page
    log = client.get(reverse("admin:claims_webhookdelivery_changelist") + f"?endpoint__id__exact={endpoint.pk}")
    assert log.status_code == 200 and claim.slug in log.content.decode()


@pytest.fixture
def silent_server():
    """A port that accepts connections and never answers."""
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook"


def test_a_timeout_is_a_failure_retried_later(settings, make_claim, chiara, silent_server):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    WebhookEndpoint.objects.create(url=silent_server, events=ALL_EVENTS)
    services.publish(make_claim(), by=chiara)
    assert sender.sweep().failed == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and "timed out" in delivery.last_error and delivery.response_code is None


def test_a_chief_editor_turns_a_disabled_endpoint_on_and_its_deliveries_go_out(
    client,
    settings,
    make_claim,
    chiara,
    endpoint,
    receiver,  # noqa: F811
):
    settings.WEBHOOK_MAX_FAILURES = 1
    receiver.statuses = [500]
    services.publish(make_claim(), by=chiara)
    sender.sweep()
    endpoint.refresh_from_db()
    assert not endpoint.active
    client.force_login(chiara)
    change = reverse("admin:claims_webhookendpoint_change", args=[endpoint.pk])
    data = {"url": endpoint.url, "description": "Partner", "events": ALL_EVENTS, "active": "on"}
    assert client.post(change, data).status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.consecutive_failures == 0 and endpoint.disabled_at is None
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2), tick=False):
        assert sender.sweep().delivered == 1


def test_a_published_claim_deleted_is_announced_as_taken_down(make_claim, chiara, endpoint, receiver):  # noqa: F811
    claim = services.publish(make_claim(), by=chiara)
    slug = claim.slug
    services.tracked_delete(claim, by=chiara, reason="Duplicate")
    assert sender.sweep().delivered == 2
    body = verified(receiver.requests[1], endpoint)
    assert (body["type"], body["data"]["slug"]) == ("claim.unpublished", slug)


def test_a_trickling_endpoint_gets_one_deadline_for_the_whole_request_and_is_disabled(
    settings,
    make_claim,
    chiara,
    trickling_server,  # noqa: F811
):
    """A header line every 0.3 s never lets a read wait 1 s: only a deadline for the whole request ends it."""
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    settings.WEBHOOK_MAX_FAILURES = 2
    endpoint = WebhookEndpoint.objects.create(url=trickling_server.url, events=ALL_EVENTS)
    services.publish(make_claim(), by=chiara)
    moment = timezone.now()
    for attempt in (1, 2):
        began = time.monotonic()
        result = sender.sweep(now=moment)
        took = time.monotonic() - began
        assert 0.9 < took < 2.5, took
        assert (result.failed, result.delivered) == (1, 0)
        delivery = WebhookDelivery.objects.get()
        assert delivery.attempts == attempt and delivery.status == "pending"
        assert "timed out" in delivery.last_error and delivery.response_code is None
        assert delivery.next_attempt_at == moment + sender.backoff(attempt)
        moment += datetime.timedelta(days=1)
    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.consecutive_failures == 2
    (email,) = mail.outbox
    assert "timed out" in email.body
    assert trickling_server.requests == 2


class Killed(BaseException):
    """What a Celery time limit or a killed worker does to a sender in the middle of a POST."""


def test_an_attempt_is_recorded_before_the_post_so_a_sender_killed_during_it_counts(
    settings,
    monkeypatch,
    make_claim,
    chiara,
    elena,
    endpoint,
):
    settings.WEBHOOK_MAX_FAILURES = 2

    def killed(*args, **kwargs):
        raise Killed

    monkeypatch.setattr(transport, "post", killed)
    services.publish(make_claim(), by=chiara)
    moment = timezone.now()
    for attempt in (1, 2):
        with pytest.raises(Killed):
            sender.sweep(now=moment)
        delivery = WebhookDelivery.objects.get()
        endpoint.refresh_from_db()
        assert (delivery.attempts, endpoint.consecutive_failures) == (attempt, attempt)
        assert delivery.last_error == sender.IN_FLIGHT and delivery.last_attempt_at == moment
        assert delivery.next_attempt_at == moment + sender.backoff(attempt)
        # Not due again at once: the next sender does not start with it (nor holds it) again.
        assert sender.sweep(now=moment) == sender.Result()
        moment += datetime.timedelta(days=1)
    # Its failures reached the limit though no attempt finished: the endpoint is turned off, nothing sent.
    assert sender.sweep(now=moment).disabled == 1
    endpoint.refresh_from_db()
    assert not endpoint.active and WebhookDelivery.objects.get().attempts == 2
    (email,) = mail.outbox
    assert sender.IN_FLIGHT in email.body


def test_a_delivery_in_flight_is_not_due_for_another_sender(monkeypatch, make_claim, chiara, endpoint):
    """The POST runs with no lock and no transaction: the attempt's lease keeps other senders off it."""
    seen = []

    def post(url, body, headers):
        seen.append(sender._sendable(timezone.now()).exists())
        return transport.Answer(200, "ok")

    monkeypatch.setattr(transport, "post", post)
    services.publish(make_claim(), by=chiara)
    assert sender.sweep().delivered == 1
    assert seen == [False]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 1, "")
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.7",
        "172.16.3.4",
        "192.168.1.1",
        "127.0.0.1",
        "169.254.169.254",
        "0.0.0.0",
        "0.1.2.3",  # 0.0.0.0/8
        "100.64.0.1",  # carrier-grade NAT
        "224.0.0.1",  # multicast
        "240.0.0.1",  # reserved
        "255.255.255.255",
        "::",
        "::1",
        "fe80::1",
        "fec0::1",  # site-local
        "fc00::1",
        "ff02::1",  # multicast
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "::127.0.0.1",  # IPv4-compatible
        "::10.0.0.1",
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
        "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, client 10.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "2001:db8::1",  # documentation
        "fe80::1%eth0",
    ],
)
def test_private_local_and_tunnelled_addresses_are_refused(address):
    assert transport._forbidden(address)


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "8.8.8.8", "2606:2800:220:1:248:1893:25c8:1946", "::ffff:93.184.216.34"]
)
def test_public_addresses_are_allowed(address):
    assert not transport._forbidden(address)


def test_logs_and_emails_show_no_token_from_the_address_and_a_glimpse_of_the_answer(
    settings,
    caplog,
    make_claim,
    chiara,
    receiver,  # noqa: F811
):
    settings.WEBHOOK_MAX_FAILURES = 1
    port = receiver.url.split(":")[2].split("/")[0]
    WebhookEndpoint.objects.create(
        url=f"http://partner:pa55word@127.0.0.1:{port}/hooks/factcheck?token=s3cret", events=ALL_EVENTS
    )
    receiver.statuses = [500]
    receiver.body = b"<b>" + b"x" * 1000 + b"\r\nBcc: someone@example.org"
    services.publish(make_claim(), by=chiara)
    with caplog.at_level("WARNING", logger="claims.webhooks.sender"):
        assert sender.sweep().disabled == 1
    assert receiver.requests[0]["path"] == "/hooks/factcheck?token=s3cret"  # the partner still gets its token
    (email,) = mail.outbox
    for text in (caplog.text, email.subject, email.body):
        assert "s3cret" not in text and "pa55word" not in text and "partner:" not in text
    assert f"http://127.0.0.1:{port}/hooks/factcheck " in email.body
    assert f"http://127.0.0.1:{port}/hooks/factcheck" in caplog.text
    assert "HTTP 500: <b>" + "x" * 150 in email.body and "x" * 300 not in email.body
    assert "\r\nBcc" not in email.body and "\nBcc" not in email.body


def test_a_redirect_is_not_followed_and_is_a_failure(caplog, make_claim, chiara, endpoint, receiver):  # noqa: F811
    receiver.statuses = [302]
    receiver.location = receiver.url + "/elsewhere?token=s3cret"
    services.publish(make_claim(), by=chiara)
    with caplog.at_level("WARNING", logger="claims.webhooks.sender"):
        assert sender.sweep().failed == 1
    assert len(receiver.requests) == 1  # not followed
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_code) == ("pending", 302)
    assert "redirect" in delivery.last_error and "not followed" in delivery.last_error
    assert "s3cret" not in delivery.last_error
    assert "not followed" in caplog.text
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 1

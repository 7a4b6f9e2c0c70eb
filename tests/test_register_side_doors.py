"""No side doors: what the desk publishes, closes or deletes, only those allowed to do it can, on every route.

The history's version page used to save whatever was posted back to it: an Editor
published, unpublished, closed a claim without a reason and recreated a deleted claim
through it. It now only shows. The walk below goes through every admin page of the
claims app as Elena, an Editor, and posts each of its forms back the way an attacker
would (a publication date, a closed status with no reason, every delete box ticked,
every action of the list): nothing may go out.
"""

import datetime

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from claims import services
from claims.models import Appearance, Claim, Claimant, Source, Status, Update
from tests.html_forms import post_form, post_forms

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(make_claim, system, chiara):
    draft = make_claim(statement="Nissan will open a battery plant in Sunderland by 2026.")
    published = services.publish(make_claim(), by=chiara)
    update = services.add_update(draft, summary="Site cleared", by=system)
    other_source = services.get_or_create_source(title="Trade press", url="https://trade.example/a", by=system,
                                                 reason="test")[0]  # fmt: skip
    appearance = services.add_appearance(draft, other_source, by=system, reason="test")
    gone = services.publish(make_claim(statement="A claim published, then deleted."), by=chiara)
    gone_versions = list(gone.history.values_list("id", "history_id"))
    services.tracked_delete(gone, by=chiara, reason="Duplicate")
    return {"draft": draft, "published": published, "update": update, "appearance": appearance,
            "gone_versions": gone_versions}  # fmt: skip


def snapshot():
    """What must not change: who is published (and since when), every status, how many rows of each."""
    return {
        "published": dict(Claim.objects.values_list("pk", "published_at")),
        "statuses": dict(Claim.objects.values_list("pk", "status")),
        "counts": [model.objects.count() for model in (Claim, Update, Appearance, Claimant, Source)],
    }


def test_the_history_version_page_refuses_every_post(client, register, elena, chiara):
    draft = register["draft"]
    version = draft.history.order_by("history_id").first()
    url = f"/admin/claims/claim/{draft.pk}/history/{version.history_id}/"
    client.force_login(elena)
    fields = post_form(client.get(f"/admin/claims/claim/{draft.pk}/change/").content.decode())
    before = snapshot(), draft.history.count()
    for user in (elena, chiara):
        client.force_login(user)
        data = fields.data(status=Status.MISSED, change_reason="", published_at_0="2026-01-01", published_at_1="12:00")
        assert client.post(url, data).status_code == 403
    assert (snapshot(), draft.history.count()) == before


def test_a_deleted_claim_is_not_recreated_from_its_history(client, make_claim, chiara):
    claim = make_claim()
    version = claim.history.get()
    services.tracked_delete(claim, by=chiara, reason="Duplicate")
    client.force_login(chiara)
    url = f"/admin/claims/claim/{version.id}/history/{version.history_id}/"
    response = client.post(url, {"statement": version.statement, "published_at_0": "2026-01-01"})
    assert response.status_code == 403
    assert not Claim.objects.filter(pk=version.id).exists()
    page = client.get(url).content.decode()  # still readable: the history outlives the claim
    assert version.statement in page and "Current version" not in page


def test_the_history_version_page_reads_as_readers_would(client, make_claim, elena, chiara):
    claim = make_claim(deadline_end=datetime.date(2026, 12, 31))
    services.publish(claim, by=chiara, reason="Checked twice")
    version = claim.history.order_by("history_id").last()
    client.force_login(elena)
    page = client.get(f"/admin/claims/claim/{claim.pk}/history/{version.history_id}/").content.decode()
    assert post_forms(page) == []
    for control in ("<textarea", "<select", "Reason for this change", "add-related", "change-related", "Save"):
        assert control not in page, control
    for shown in ("31 December 2026", "Not yet rated", "Checked twice", "Year", "Nissan", "chiara"):
        assert shown in page, shown
    assert ">None<" not in page


def _admin_urls(objects: dict, gone_versions=()) -> list[str]:
    """Every address of the admin pages of the claims app (and intake), filled with the rows at hand.

    Every version page of every row is walked: a past version is where the values to put
    back differ from the row's (a draft version of a published claim, a deleted claim's).
    """
    urls = ["/admin/", "/admin/claims/", reverse("intake:start")]
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "claims":
            continue
        arguments = [()]
        for obj in objects.get(model, []):
            arguments.append((obj.pk,))
            if hasattr(obj, "history"):
                arguments += [(obj.pk, history_id) for history_id in obj.history.values_list("history_id", flat=True)]
        if model is Claim:
            arguments += list(gone_versions)
        for pattern in model_admin.urls:
            if not getattr(pattern, "name", None):
                continue
            for args in arguments:
                try:
                    urls.append(reverse(f"admin:{pattern.name}", args=args))
                except NoReverseMatch:
                    continue
    return sorted(set(urls))


def _tampered(form) -> dict:
    """The form's own data with every lever of publication, closing and deletion pulled."""
    names = form.names()
    changes = {}
    for name in names:
        if name.endswith("published_at_0"):
            changes[name] = "2026-01-01"
        elif name.endswith("published_at_1"):
            changes[name] = "12:00:00"
        elif name == "status" or name.endswith("-status"):
            changes[name] = Status.MISSED
        elif name.endswith("-DELETE"):
            changes[name] = "on"
    changes.update({"change_reason": "", "post": "yes", "published_at_0": "2026-01-01", "published_at_1": "12:00"})
    return changes


def test_every_admin_form_posted_back_by_an_editor_lets_nothing_out(client, register, elena):
    draft = register["draft"]
    objects = {Claim: [draft, register["published"]], Update: [register["update"]],
               Appearance: [register["appearance"]], Claimant: [draft.claimant], Source: [draft.source]}  # fmt: skip
    urls = _admin_urls(objects, register["gone_versions"])
    assert any("/history/" in url and url.count("/") > 6 for url in urls), "the version pages are walked too"
    before = snapshot()
    client.force_login(elena)
    posted, change_forms = 0, {}
    for url in urls:
        response = client.get(url)
        pages = [response.content.decode()] if response.status_code == 200 else []
        forms = [form for page in pages for form in post_forms(page)]
        for form in forms:
            target = form.action or url
            actions = [value for value in form.selects.get("action", []) if value]
            for action in (
                actions + ["publish_selected", "unpublish_selected", "delete_selected"] if actions else [None]
            ):
                extra = {"action": action, "_selected_action": [str(pk) for pk in before["statuses"]]} if action else {}
                client.post(target, form.data(post="yes", **extra))  # as the page offers it
                client.post(target, form.data(**_tampered(form), **extra))  # with every lever pulled
                posted += 2
            if "/change/" in url:
                change_forms[url.split("/change/")[0]] = form
        # The delete pages answer an Editor 403 on GET: post to them anyway, and to the version pages
        # (a row's own change form, as it is, is what a version page would save back).
        client.post(url, {"post": "yes", "status": Status.MISSED, "published_at_0": "2026-01-01"})
        posted += 1
        if "/history/" in url and url.rstrip("/").split("/")[-1].isdigit():
            own = change_forms.get(url.split("/history/")[0])
            if own is not None:
                client.post(url, own.data())
                posted += 1
    assert posted > len(urls)
    assert snapshot() == before


def test_an_update_that_closes_the_claim_from_its_page_needs_the_pages_reason(client, register, elena):
    draft = register["draft"]
    client.force_login(elena)
    url = f"/admin/claims/claim/{draft.pk}/change/"
    form = post_form(client.get(url).content.decode())
    response = client.post(url, form.data(**{"updates-0-status": Status.MISSED}))
    assert response.status_code == 200 and "status: give a reason for the change below" in response.content.decode()
    assert Claim.objects.get(pk=draft.pk).status == Status.PENDING
    form = post_form(response.content.decode())
    ok = client.post(url, form.data(**{"updates-0-status": Status.MISSED, "change_reason": "Plant cancelled"}))
    assert ok.status_code == 302
    assert Claim.objects.get(pk=draft.pk).status == Status.MISSED


def test_a_version_page_with_a_made_up_address_is_not_found(client, make_claim, elena):
    claim = make_claim()
    client.force_login(elena)
    for url in [f"/admin/claims/claim/{claim.pk}/history/abc/", "/admin/claims/claim/abc/history/1/",
                f"/admin/claims/claim/{claim.pk}/history/99999999999999999999999/"]:  # fmt: skip
        assert client.get(url).status_code == 404, url


def test_an_update_stays_with_its_claim(client, make_claim, elena, system):
    first, second = make_claim(), make_claim()
    update = services.add_update(first, summary="Withdrawn", status=Status.WITHDRAWN, by=system)
    client.force_login(elena)
    url = f"/admin/claims/update/{update.pk}/change/"
    form = post_form(client.get(url).content.decode())
    assert "claim" not in form.names()
    client.post(url, form.data(claim=str(second.pk), change_reason="Wrong claim"))
    update.refresh_from_db()
    assert update.claim_id == first.pk

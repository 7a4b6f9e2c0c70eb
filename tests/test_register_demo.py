"""The demo loader gives a newcomer the story's claims, and can be run again safely."""

from django.core.management import call_command

from claims.models import Appearance, Claim, Claimant, Source, Update


def snapshot():
    models = [Claim, Claimant, Source, Update, Appearance]
    rows = {m.__name__: sorted(m.objects.values_list("pk", flat=True)) for m in models}
    history = {m.__name__: m.history.count() for m in models}
    return rows, history


def test_load_demo_twice_leaves_the_same_rows(db):
    call_command("load_demo")
    first = snapshot()
    call_command("load_demo")
    assert snapshot() == first


def test_demo_holds_the_claims_of_the_story(db):
    call_command("load_demo")
    nissan = Claim.objects.get(slug="nissan-a-segment-ev-europe-2026")
    assert nissan.deadline_text == "by 2026" and str(nissan.deadline_end) == "2026-12-31"
    assert nissan.deadline_precision == "year"
    price = Claim.objects.get(slug="renault-twingo-hatch-under-20000-eur")
    assert (price.target_comparator, int(price.target_value), price.target_unit) == ("<", 20000, "EUR")
    recharge = Claim.objects.get(slug="ampere-recharge-under-15-minutes-2028")
    assert (recharge.target_comparator, int(recharge.target_value), recharge.target_unit) == ("<", 15, "min")
    alpine = Claim.objects.get(slug="alpine-united-states")
    assert alpine.deadline_end is None and alpine.deadline_precision == "none"
    assert Claim.objects.published().count() == Claim.objects.count()


def test_demo_claims_can_be_assigned_to_the_editor(db, django_user_model):
    django_user_model.objects.create_user("editor", is_staff=True)
    call_command("load_demo", "--assign-to", "editor")
    assert not Claim.objects.filter(assignee__isnull=True).exists()

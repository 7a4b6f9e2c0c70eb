"""The list's filter form shows what the reader asked for; each process renders it once per set of values.

Rita narrows the list and reads the form back: her words, status, year, sort and
"overdue only" must be the ones shown, escaped, and never another reader's.
"""

import re

import pytest

from claims import services
from claims.models import Claim

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.usefixtures("public_cache", "frozen_day"), pytest.mark.django_db]


@pytest.fixture
def uncached(settings):
    settings.PUBLIC_CACHE_SECONDS = 0  # every request runs the view; only the form is remembered


def form_of(response) -> str:
    assert response.status_code in (200, 400), response.content[:300]
    html = response.content.decode()
    return html[html.index('<form class="filters"') : html.index("</form>")]


def selected(form: str, name: str) -> list[str]:
    select = form[form.index(f'name="{name}"') :]
    select = select[: select.index("</select>")]
    return re.findall(r'<option value="([^"]*)" selected>', select)


def test_the_form_shows_what_was_asked_and_only_that(anonymous, demo, uncached):
    query = {"q": '<script>alert("x")</script>', "status": "missed", "year": "2027", "sort": "deadline", "overdue": "1"}
    asked = form_of(anonymous.get("/claims/", query))
    assert 'value="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"' in asked and "<script>" not in asked
    assert selected(asked, "status") == ["missed"]
    assert selected(asked, "year") == ["2027"]
    assert selected(asked, "sort") == ["deadline"]
    assert 'name="overdue" value="1" checked' in asked

    plain = form_of(anonymous.get("/claims/"))  # the next reader asks for nothing
    assert 'id="f-q" type="search" name="q" value=""' in plain
    assert selected(plain, "status") == selected(plain, "year") == selected(plain, "sort") == []
    assert "checked" not in plain
    assert form_of(anonymous.get("/claims/", {"status": "missed"})) != plain


def test_a_new_claimant_is_offered_at_once(anonymous, demo, make_claim, chiara, commit, uncached):
    before = form_of(anonymous.get("/claims/"))
    assert 'value="example-motors-demo"' in before
    assert "Polestar Research" not in before
    claimant, _ = services.get_or_create_claimant("Polestar Research", by=chiara, reason="New claimant")
    with commit():
        services.publish(make_claim(claimant=claimant), by=chiara)
    after = form_of(anonymous.get("/claims/"))
    assert '<option value="polestar-research">Polestar Research</option>' in after
    assert Claim.objects.published().filter(claimant=claimant).exists()

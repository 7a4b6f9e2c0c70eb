"""Sitemaps are built by a worker and served as stored: no SQL on the request path, whatever the parameters."""

import gzip
from xml.etree import ElementTree  # our own output, not untrusted input

import pytest
from django.core.cache import cache

from claims import public_cache, services
from claims.models import Claim
from claims.sitemaps import build, refresh, store
from factcheck.celery import app as celery_app
from tests.test_public_support import build_sitemaps
from tests.test_reminders_support import WORKER_ARGS, free_port, needs_postgresql, process_env, wait_until

pytest_plugins = ["tests.test_public_support", "tests.test_reminders_support"]
pytestmark = [pytest.mark.usefixtures("public_cache"), pytest.mark.django_db]
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
URLS = ["/sitemap.xml", "/sitemap-pages.xml", "/sitemap-claims.xml", "/sitemap-claimants.xml"]


def locations(response) -> list[str]:
    return [loc.text for loc in ElementTree.fromstring(response.content).iter(f"{{{NS['s']}}}loc")]


@pytest.mark.parametrize("url", URLS)
def test_sitemaps_are_served_without_a_query_whatever_the_parameters(anonymous, demo, url, django_assert_num_queries):
    build_sitemaps()
    with django_assert_num_queries(0):
        plain = anonymous.get(url)
        random = anonymous.get(f"{url}?r=123&utm_source=x")
    assert plain.status_code == random.status_code == 200
    assert plain["Content-Type"] == "application/xml" and plain.content == random.content
    assert plain["ETag"] == random["ETag"] and plain["X-Robots-Tag"] == "noindex, noodp, noarchive"
    assert locations(plain)


def test_before_the_first_build_the_answer_is_503_and_a_build_is_queued(anonymous, demo, settings, monkeypatch):
    settings.PUBLIC_REFRESH_IN_BACKGROUND = True
    queued = []
    monkeypatch.setattr("claims.tasks.build_sitemaps.apply_async", lambda *args, **options: queued.append(options))
    for _ in range(3):
        response = anonymous.get("/sitemap-claims.xml")
        assert response.status_code == 503 and int(response["Retry-After"]) > 0
        assert response["Cache-Control"] == "no-store"
    assert len(queued) == 1  # once per PUBLIC_SITEMAP_SECONDS, however many crawlers ask
    build_sitemaps()
    assert anonymous.get("/sitemap-claims.xml").status_code == 200


def test_without_workers_nothing_is_queued_and_the_command_builds_them(anonymous, demo, monkeypatch):
    from django.core.management import call_command

    monkeypatch.setattr("claims.tasks.build_sitemaps.apply_async", lambda *args, **options: pytest.fail("queued"))
    assert anonymous.get("/sitemap.xml").status_code == 503
    call_command("build_sitemaps")
    assert anonymous.get("/sitemap.xml").status_code == 200


def test_gzip_is_sent_as_stored_to_clients_that_accept_it(anonymous, demo):
    build_sitemaps()
    plain = anonymous.get("/sitemap-claims.xml")
    zipped = anonymous.get("/sitemap-claims.xml", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert zipped["Content-Encoding"] == "gzip" and gzip.decompress(zipped.content) == plain.content
    assert zipped["ETag"] != plain["ETag"] and "Accept-Encoding" in plain["Vary"]
    assert anonymous.get("/sitemap-claims.xml", HTTP_IF_NONE_MATCH=plain["ETag"]).status_code == 304


def test_large_sections_are_split_into_pages_listed_in_the_index(anonymous, demo, monkeypatch):
    monkeypatch.setattr(build, "PAGE_SIZE", 4)
    build_sitemaps()
    index = locations(anonymous.get("/sitemap.xml"))
    assert "http://127.0.0.1:8000/sitemap-claims.xml?p=3" in index
    pages = [locations(anonymous.get(f"/sitemap-claims.xml?p={n}")) for n in (1, 2, 3)]
    assert [len(page) for page in pages] == [4, 4, 1]
    assert len(set(sum(pages, []))) == Claim.objects.published().count() == 9
    for bad in ["?p=4", "?p=0", "?p=two"]:
        assert anonymous.get(f"/sitemap-claims.xml{bad}").status_code == 404
    assert anonymous.get("/sitemap-nothing.xml").status_code == 404
    monkeypatch.setattr(build, "PAGE_SIZE", 100)
    build_sitemaps()  # a shorter build: its earlier pages are gone
    assert anonymous.get("/sitemap-claims.xml?p=2").status_code == 404


def test_a_current_build_is_renewed_not_rebuilt(demo):
    assert refresh.build_if_needed() is not None
    assert refresh.build_if_needed() is None  # nothing changed
    client = cache._cache.get_client(write=False)
    assert client.ttl(cache.make_key(public_cache.data_key(store.MANIFEST))) > store.KEEP_SECONDS - 10
    public_cache.invalidate()
    assert refresh.build_if_needed() is not None


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_builds_the_sitemaps_after_a_committed_change(
    anonymous, demo, chiara, commit, settings, celery_processes
):
    needs_postgresql()
    settings.PUBLIC_REFRESH_IN_BACKGROUND = True
    celery_app.control.purge()  # tasks queued by earlier tests without a worker must not run here
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    env = process_env(redis_url=settings.REDIS_URL, smtp_port=free_port(), CACHE_KEY_PREFIX=prefix)
    worker = celery_processes("worker", env, "--pool=solo", *WORKER_ARGS)
    worker.wait_for("ready.")
    build_sitemaps()
    assert any("alpine-united-states" in loc for loc in locations(anonymous.get("/sitemap-claims.xml")))
    with commit():
        services.unpublish(Claim.objects.get(slug="alpine-united-states"), by=chiara, reason="Under review")
    worker.wait_for("Sitemaps: built", timeout=40)

    def gone() -> bool:
        return not any("alpine-united-states" in loc for loc in locations(anonymous.get("/sitemap-claims.xml")))

    wait_until(gone, timeout=5, what="the unpublished claim to leave the sitemap")
    assert store.manifest()["generation"] == public_cache.current_generation()

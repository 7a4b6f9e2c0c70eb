"""The Atom writer of claims/feeds.py, read back by a strict XML parser and checked against Django's generator."""

import datetime
from xml.etree import ElementTree  # our own output, not untrusted input

import feedparser
import pytest
from django.utils.feedgenerator import Atom1Feed

from claims import services
from claims.feeds import (
    atom_feed,
    entry_summary,
    entry_title,
    recent_events,
    xml_attribute,
    xml_text,
)
from claims.models import Claim, Status

pytest_plugins = ["tests.test_public_support"]

TRICKY = "a <b> & c \"d\" 'e' ]]> \t tab\nline\r\nend — déjà 🙂"
NOT_IN_XML = "\x00\x01\x08\x0b\x0c\x0e\x1f\ufffe\uffff\ud800"


@pytest.mark.parametrize("value", [TRICKY, TRICKY + NOT_IN_XML, NOT_IN_XML, ""])
def test_text_and_attribute_values_read_back_as_written_less_what_xml_cannot_carry(value):
    document = f'<e a="{xml_attribute(value)}">{xml_text(value)}</e>'.encode()
    element = ElementTree.fromstring(document)
    expected = "".join(c for c in value if c not in NOT_IN_XML)
    assert element.get("a") == expected
    # The parser reads a line break written as CR LF in character data as LF (XML 1.0, 2.11).
    assert (element.text or "") == expected.replace("\r\n", "\n")


@pytest.fixture
def events(demo, elena, chiara, make_claim):
    claim = Claim.objects.get(slug="nissan-a-segment-ev-europe-2026")
    services.change_status(claim, Status.STALLED, by=elena, reason="Launch postponed")
    tricky = make_claim(statement=f"The {TRICKY} plant will open.", status=Status.MISSED, verdict=TRICKY)
    services.publish(tricky, by=chiara)
    return recent_events()


def django_atom(events) -> bytes:
    """The feed as django.contrib.syndication wrote it from the same events before claims/feeds.py wrote its own."""
    feed = Atom1Feed(
        title="factcheck newsroom: claims tracked",
        subtitle="New claims, changes of status and corrections, as published on the claim tracker.",
        link="http://127.0.0.1:8000/claims/",
        feed_url="http://127.0.0.1:8000/claims/feed/",
        feed_guid="http://127.0.0.1:8000/claims/feed/",
        description=None,
        language="en-us",
        author_name="factcheck newsroom",
        author_link="http://127.0.0.1:8000",
    )
    for event in events:
        feed.add_item(
            title=entry_title(event),
            link=f"http://127.0.0.1:8000/claims/{event.slug}/",
            description=entry_summary(event),
            unique_id=f"tag:127.0.0.1,2025:claim/{event.claim_id}/change/{event.history_id}",
            pubdate=event.when,
            updateddate=event.when,
            author_name="factcheck newsroom",
            categories=[event.status.label],
        )
    return feed.writeString("utf-8").encode()


def as_tree(document: bytes) -> list:
    """Every element as (tag, sorted attributes, text), in document order: what a reader can tell apart."""
    return [
        (element.tag, sorted(element.attrib.items()), (element.text or "").strip())
        for element in ElementTree.fromstring(document).iter()
    ]


def test_the_feed_says_what_djangos_atom_generator_said(events):
    assert len(events) == 11  # 9 demo claims, a status change, the tricky claim
    ours, theirs = atom_feed(events), django_atom(events)
    assert as_tree(ours) == as_tree(theirs)
    parsed = feedparser.parse(ours)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.entries == feedparser.parse(theirs).entries


def test_an_empty_feed_is_updated_now():
    before = datetime.datetime.now(tz=datetime.UTC)
    updated = ElementTree.fromstring(atom_feed([])).find("{http://www.w3.org/2005/Atom}updated").text
    assert before <= datetime.datetime.fromisoformat(updated) <= datetime.datetime.now(tz=datetime.UTC)

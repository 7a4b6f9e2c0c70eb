"""The signed links of readers' emails: confirmations that expire, and a reader's own link that does not.

- A confirmation (of a follow, or of the address left with a tip) is a TimestampSigner
  signature of the row's id, salted per kind, valid for FOLLOW_LINK_MAX_AGE_DAYS: a link
  found in an old mailbox cannot start sending mail to it.
- A reader's link (unsubscribe, manage) is a Signer signature of the reader's id, salted:
  an unsubscribe link must work in every email we ever sent, so it does not expire. It
  dies with the reader (erasure): ids are never reused (both databases' keys autoincrement).

Signatures are made with SECRET_KEY (django.core.signing): nobody can make one for another
id, and a tampered link fails like a made-up one. Rotating SECRET_KEY ends every link.
"""

import datetime

from django.conf import settings
from django.core import signing

FOLLOW = "claims.readers.confirm-follow"
TIP = "claims.readers.confirm-tip"
READER = "claims.readers.reader"


class BadLink(Exception):
    """The link was not made by us (mistyped, cut short or tampered with)."""


class ExpiredLink(BadLink):
    """A confirmation link older than FOLLOW_LINK_MAX_AGE_DAYS."""


def max_age() -> datetime.timedelta:
    return datetime.timedelta(days=settings.FOLLOW_LINK_MAX_AGE_DAYS)


def confirmation(kind: str, pk: int) -> str:
    return signing.TimestampSigner(salt=kind).sign(str(pk))


def read_confirmation(kind: str, token: str) -> int:
    """The id a confirmation link was made for; ExpiredLink or BadLink otherwise."""
    try:
        value = signing.TimestampSigner(salt=kind).unsign(token, max_age=max_age())
    except signing.SignatureExpired:
        raise ExpiredLink from None
    except signing.BadSignature:
        raise BadLink from None
    return _id(value)


def reader(pk: int) -> str:
    return signing.Signer(salt=READER).sign(str(pk))


def read_reader(token: str) -> int:
    try:
        return _id(signing.Signer(salt=READER).unsign(token))
    except signing.BadSignature:
        raise BadLink from None


def _id(value: str) -> int:
    if not value.isdigit() or len(value) > 18:
        raise BadLink
    return int(value)

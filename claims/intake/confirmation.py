"""One review page, one confirmation: a submission repeated is answered, not saved again.

Guarantee: the candidates kept on one review page are saved at most once, however often
and however simultaneously the page is submitted (a double click, back and resubmit,
the same page in two tabs).

How: rendering the review page issues a random one-time token (``issue``), stored
server-side (``IntakeConfirmation``) for the editor who opened the page, and carried in
the page. Confirming spends it with a conditional UPDATE (``spend``: "unused and mine"
-> used) as the first write of the transaction that saves the kept candidates, and
records the Source they went into (``record``) in the same transaction. On PostgreSQL a
second submission's UPDATE waits on the first's row lock, then finds the token used and
matches nothing; on SQLite the database lock serialises them the same way. Either way
the second is told where the first saved (``Spent.source_id``). If saving fails the
transaction rolls back and the token is unused again, so the editor can correct and
resubmit the same page.

Tokens are 256 random bits (``secrets``), bound to the editor who opened the page: a
token that is unknown or another editor's is refused like a page that has expired.
"""

import datetime
import secrets
from dataclasses import dataclass

from django.utils import timezone

from claims.models import IntakeConfirmation

TOKEN_BYTES = 32
# Tokens older than this are deleted when the same editor opens a new review: a page left
# open longer is refused as expired, and nothing of it is saved.
KEEP_FOR = datetime.timedelta(days=30)


class UnknownToken(Exception):
    """No such review page for this editor (never issued, expired, or someone else's)."""


@dataclass
class Spent(Exception):
    """The page was confirmed before; source_id is where its candidates were saved (None if it is gone)."""

    source_id: int | None


def issue(user) -> str:
    IntakeConfirmation.objects.filter(issued_to=user, issued_at__lt=timezone.now() - KEEP_FOR).delete()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    IntakeConfirmation.objects.create(token=token, issued_to=user)
    return token


def spend(token: str, user) -> None:
    """Take the token for this confirmation; call inside the transaction that saves.

    Raises Spent when an earlier confirmation took it, UnknownToken when there is none.
    """
    if not token:
        raise UnknownToken
    taken = IntakeConfirmation.objects.filter(token=token, issued_to=user, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if taken:
        return
    earlier = IntakeConfirmation.objects.filter(token=token, issued_to=user).values_list("source_id", flat=True)
    for source_id in earlier:
        raise Spent(source_id)
    raise UnknownToken


def check(token: str, user) -> None:
    """Raise Spent if the page was confirmed already (a quick look before the real work; spend decides)."""
    for source_id in IntakeConfirmation.objects.filter(token=token, issued_to=user, used_at__isnull=False).values_list(
        "source_id", flat=True
    ):
        raise Spent(source_id)


def record(token: str, user, source) -> None:
    """Where the confirmation saved: a repeated submission is sent there."""
    IntakeConfirmation.objects.filter(token=token, issued_to=user).update(source=source)

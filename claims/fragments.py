"""Parts of public pages kept in Redis under the version of what they show.

The response cache (claims.public_cache) keys whole pages by one generation stamp, so
any public edit anywhere makes every page stale: on a working day, the first reader of
each claim page after every edit waits for its four queries and its template again,
though nothing on that page changed. A claim's page shows the claim, its claimant,
sources, updates and history, and each write to any of those moves the claim's own
stamp, ``Claim.public_changed_at`` (see public_cache._stamp_public_change). Parts keyed
by that stamp stay right for as long as they exist: a changed claim has another key.

So a claim page costs one indexed query (the claim's id and stamp, by its slug), one
Redis read, and the site's frame around the parts (claims.views.frame), until the claim
itself changes. Claimant pages are kept the same way, under Claimant.public_changed_at.

The key also holds the newsroom's date (pages say "12 days left") and a digest of the
code and settings that make the parts (``release``), so a deploy with other templates
or another SITE_URL never serves parts made by the previous one.
"""

import functools
import hashlib
from collections.abc import Callable, Hashable
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from claims import public_cache
from claims.models import newsroom_today

PREFIX = "public:fragment:"
# Settings that parts are made with (absolute addresses, the newsroom's name and day).
_SETTINGS = ("SITE_URL", "NEWSROOM_NAME", "NEWSROOM_URL", "TIME_ZONE", "LANGUAGE_CODE")


def seconds() -> int:
    """How long a part is kept once made; PUBLIC_FRAGMENT_SECONDS=0 turns the parts off."""
    return settings.PUBLIC_FRAGMENT_SECONDS


@functools.cache
def release() -> str:
    """A digest of the templates, the app's code and the settings that parts are made from."""
    digest = hashlib.blake2b(digest_size=8)
    base = Path(settings.BASE_DIR)
    for path in sorted([*(base / "templates").rglob("*.html"), *(base / "claims").rglob("*.py")]):
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    for name in _SETTINGS:
        digest.update(repr(getattr(settings, name, None)).encode())
    return digest.hexdigest()


def key(kind: str, ident: Hashable, stamp) -> str:
    return f"{PREFIX}{release()}:{kind}:{ident}:{stamp.isoformat()}:{newsroom_today().isoformat()}"


def remember(kind: str, ident: Hashable, stamp, render: Callable[[], object], *, request=None):
    """``render()``, kept under (kind, ident, stamp, today, release) and reused while that key exists.

    ``stamp`` is the version of everything the part shows, read in this request (for a
    claim: its public_changed_at). Without one (rows written by a bulk load), or in a
    request that has written something it has not committed, the part is made afresh. A
    part made from the previous value of a shared aggregate (see public_cache.remember)
    is shown, not kept.
    """
    if stamp is None or seconds() <= 0 or public_cache.has_uncommitted_changes():
        return render()
    name = key(kind, ident, stamp)
    value = cache.get(name)
    if value is None:
        value = render()
        if not getattr(request, "public_cache_stale_data", False):
            cache.set(name, value, timeout=seconds())
    return value

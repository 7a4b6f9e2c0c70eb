"""Caching of public responses in Redis (through Django's cache) and conditional GET.

Public pages show the register as a whole (counts, charts, lists), so instead of
tracking which page shows which row, one *generation* stamp records when anything
public last changed. A cached entry remembers the generation it was rendered at and
is used only while that is still the current one; a write to a claim, update,
appearance, claimant or source that readers can see moves the generation on, once per
transaction and after it commits (see ``_changed``).

A page hit costs at most one Redis round trip: the generation and the page are fetched
together with MGET, and the stored bytes are sent as they are; the hottest pages are
also kept in the process for a second (see LocalPages). Entries are keyed by the
newsroom's date too, because "days left" and "overdue" change at midnight.

Only readers without a session cookie are served from the cache: that decides
"anonymous" without loading the session. Editors browsing the public site get fresh
pages (with an ETag all the same).

A view may ask for headers of its own through the marks Django's and django-csp's
decorators leave on its response (``xframe_options_exempt``, ``csp_replace``, ...), which
the middleware turns into headers after the view. A page served from the cache is a new
response, so the entry keeps those marks with the body and puts them back (``HEADER_RULES``):
a page that may be framed is framed the same whether it came from the view or the cache,
and so is its 304.
"""

import datetime
import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Greatest
from django.db.models.signals import post_delete, post_init, post_save, pre_save
from django.http import HttpResponse, QueryDict
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from claims.models import Appearance, Claim, Claimant, MethodologyText, Source, Update, newsroom_today
from factcheck.cache import on_recovery

GENERATION_KEY = "public:generation"
# v2: entries keep the response's header rules (HEADER_RULES) before the body.
PAGE_PREFIX = "public:page:v2:"
DATA_PREFIX = "public:data:"
# Bump when the shape of cached data changes, so a release never reads an older shape.
DATA_VERSION = 3
# Seconds a computation may hold its lock before another request may start it again.
LOCK_SECONDS = 120
# How long browsers and proxies may reuse a page without asking again.
BROWSER_MAX_AGE = 60


def page_seconds() -> int:
    """Lifetime of a cached page; PUBLIC_CACHE_SECONDS=0 turns the response cache off."""
    return getattr(settings, "PUBLIC_CACHE_SECONDS", 300)


# --- the generation ----------------------------------------------------------------


def current_generation() -> str | None:
    """The current stamp, created on first use; None when Redis cannot be reached."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, _new_stamp(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def invalidate() -> None:
    """Make every cached public page and computation stale.

    Call after writes that send no model signals (bulk loads); service writes do it by themselves.
    If Redis cannot be reached, the cache backend's circuit breaker remembers the outage and
    this runs again as soon as this process reaches Redis (see ``_retry_after_outage``).
    """
    # Redis first, then the local copy: a request of this process that looks at the
    # generation in between sees the new one, or is turned away by the new local epoch.
    cache.set(GENERATION_KEY, _new_stamp(), timeout=None)
    local_pages.forget()
    for hook in _after_invalidate:
        hook()


def stamp_claims(claims) -> None:
    """Date a public change of ``claims`` (a queryset) and of their claimants' pages, for bulk writes.

    Bulk writes send no signals, so neither the claims' stamps nor their claimants' move,
    and the parts of their pages kept by claims.fragments would go on being served: call
    this in the bulk write's transaction, and invalidate() after it commits.
    """
    Claimant.objects.using(claims.db).filter(pk__in=claims.values("claimant_id")).update(
        public_changed_at=_next_stamp_sql()
    )
    claims.update(public_changed_at=_next_stamp_sql())


_after_invalidate: list[Callable[[], object]] = []


def after_invalidate(hook: Callable[[], object]) -> Callable[[], object]:
    """Run ``hook()`` each time the generation moves on (claims.public_refresh queues its work); a decorator."""
    if hook not in _after_invalidate:
        _after_invalidate.append(hook)
    return hook


def _new_stamp() -> str:
    # The time, for Last-Modified; and a random part, so that two changes never share a
    # stamp, even with a coarse or frozen clock or one set back.
    return f"{time.time_ns()}.{secrets.token_hex(4)}"


def _stamp_time(generation: str | None) -> float:
    try:
        return int(generation.split(".")[0]) / 1e9
    except (AttributeError, TypeError, ValueError):
        return time.time()


@on_recovery
def _retry_after_outage() -> None:
    # Writes made while Redis was unreachable could not move the generation on, and Redis
    # may come back with its old pages intact: move it on before anything is read again.
    invalidate()


# --- which writes readers can see ---------------------------------------------------

# Claim fields that never appear on the public site, in the API or in feeds.
PRIVATE_CLAIM_FIELDS = frozenset({"notes", "assignee", "updated_at"})
# Kept by this module (the time of the last change of the others) and by every write (the
# row's version, claims.versions): neither is a change readers see.
_DERIVED_CLAIM_FIELDS = frozenset({"public_changed_at", "version"})
_PUBLIC_CLAIM_ATTNAMES = tuple(
    f.attname for f in Claim._meta.concrete_fields if f.name not in PRIVATE_CLAIM_FIELDS | _DERIVED_CLAIM_FIELDS
)
_PUBLISHED_AT = _PUBLIC_CLAIM_ATTNAMES.index("published_at")
_SNAPSHOT = "_public_snapshot"
_NOT_LOADED = object()


def _public_state(claim: Claim) -> tuple:
    # From __dict__, so that a deferred field is not loaded just to be compared.
    return tuple(claim.__dict__.get(name, _NOT_LOADED) for name in _PUBLIC_CLAIM_ATTNAMES)


def _remember_public_state(sender, instance, **kwargs):
    instance.__dict__[_SNAPSHOT] = _public_state(instance)


ONE_MICROSECOND = datetime.timedelta(microseconds=1)
_CLAIMANT_ID = _PUBLIC_CLAIM_ATTNAMES.index("claimant_id")


def _next_stamp(previous: datetime.datetime | None) -> datetime.datetime:
    # Never the same stamp twice for one row, even with a coarse or frozen clock: stamps
    # version cached page parts (claims.fragments).
    now = timezone.now()
    return now if previous is None or now > previous else previous + ONE_MICROSECOND


def _next_stamp_sql() -> Coalesce:
    """_next_stamp for an UPDATE of many rows (GREATEST keeps each row's stamp moving forward)."""
    now = timezone.now()
    return Coalesce(Greatest(Value(now), F("public_changed_at") + ONE_MICROSECOND), Value(now))


def _stamp_claimants(using: str, *claimant_ids) -> None:
    ids = {claimant_id for claimant_id in claimant_ids if claimant_id is not None}
    if ids:
        Claimant.objects.using(using).filter(pk__in=ids).update(public_changed_at=_next_stamp_sql())


def _stamp_public_change(sender, instance, raw, using, update_fields=None, **kwargs):
    """Before a claim or claimant is written: date its public change (``public_changed_at``) if it has one.

    In pre_save, so the date goes out with the row itself. A draft's changes are dated too
    (nobody sees them yet); publishing it is a change, and dates it again. A public change
    of a claim (one that is or was published) also dates its claimant's page (and the
    previous claimant's, when it moves); a draft's does not, since that page does not show it.
    """
    if raw:
        return  # loaddata writes the rows as they were, dates included
    if sender is Claimant:
        _set_stamp(instance, update_fields)
        return
    before = instance.__dict__.get(_SNAPSHOT)
    if instance._state.adding or _public_state(instance) != before or _is_correction(instance):
        _set_stamp(instance, update_fields)
        if _is_or_was_published(instance, before, created=instance._state.adding):
            previous_claimant = before[_CLAIMANT_ID] if before and before[_CLAIMANT_ID] is not _NOT_LOADED else None
            _stamp_claimants(using, instance.claimant_id, previous_claimant)


_STAMP_AFTER_SAVE = "_public_stamp_after_save"


def _set_stamp(instance, update_fields) -> None:
    # From __dict__: a deferred stamp is not loaded just to be replaced.
    instance.public_changed_at = _next_stamp(instance.__dict__.get("public_changed_at"))
    if update_fields is not None and "public_changed_at" not in update_fields:
        # A save of chosen fields (or of an instance loaded with some deferred) would leave
        # the stamp out: it is written by an UPDATE once the row is saved.
        instance.__dict__[_STAMP_AFTER_SAVE] = True


def _write_left_out_stamp(sender, instance, using, **kwargs):
    if instance.__dict__.pop(_STAMP_AFTER_SAVE, False):
        sender.objects.using(using).filter(pk=instance.pk).update(public_changed_at=_next_stamp_sql())


def _stamp_related_claims(sender, instance, using, created=False, **kwargs):
    """A change to a claim's updates, appearances, claimant or sources dates the claims it shows on.

    Readers see it only if one of those claims is published: then the generation moves on
    too. A change that shows on drafts alone (an update of a draft, the claimant or source
    of drafts only, a new claimant or source) moves nothing public: no generation, no
    Last-Modified, no stamp of a published claim (a draft's own stamp is not public, and
    publishing it dates it again).

    The stamp is written first, on every such claim, drafts included: its UPDATE holds
    their rows until this transaction ends, so a concurrent publish of one of them waits
    for it, and the check that follows sees a publish that committed before. Either way
    the change is not lost: the publish moves the generation on after this change is
    visible, or this change sees the claim published and moves it itself. In this very
    transaction, the check sees the claims as the transaction left them: a claim it
    unpublished counts as a draft, and its unpublishing has already moved the generation
    (``_on_save``). A plain UPDATE of the derived column: it is not an editorial change, so
    it writes no history (the change that caused it has its own).
    """
    if kwargs.get("raw"):
        _changed(using)  # loaddata: rows as they were, without looking at what they show
        return
    claims = Claim.objects.using(using)
    if sender in (Update, Appearance):
        claims = claims.filter(pk=instance.claim_id)
    elif created:
        return  # a new claimant or source shows on no claim yet
    elif sender is Claimant:
        claims = claims.filter(claimant_id=instance.pk)
    else:  # Source: the claims it is the source of, and those it is a further appearance of
        appearances = Appearance.objects.using(using).filter(source_id=instance.pk).values("claim_id")
        claims = claims.filter(Q(source_id=instance.pk) | Q(pk__in=appearances))
    if claims.update(public_changed_at=_next_stamp_sql()) and claims.published().exists():
        _changed(using)


def _stamp_deleted_claims_claimant(sender, instance, using, **kwargs):
    if _deleted_claim_showed(instance):
        _stamp_claimants(using, instance.claimant_id)


def _is_or_was_published(claim: Claim, before: tuple | None, *, created: bool) -> bool:
    """Whether readers saw ``claim`` before this save (by its state when loaded) or see it after it."""
    if claim.published_at is not None:
        return True
    return not created and (before is None or before[_PUBLISHED_AT] is not None)


def _is_correction(claim) -> bool:
    # A correction is public even when it changes none of the claim's own fields (its timeline's
    # wording, say): the claim's page and the feed show it (claims.services, ``correction=``).
    return bool(claim.__dict__.get("_correction")) and claim.published_at is not None


def _claim_change_shows(claim: Claim, created: bool, correction: bool = False) -> bool:
    """Whether saving ``claim`` changes what readers can see, by its state when loaded."""
    before = claim.__dict__.get(_SNAPSHOT)
    after = _public_state(claim)
    claim.__dict__[_SNAPSHOT] = after  # the next save of this object compares with this one
    if not created and before == after and not correction:
        return False  # only notes, the assignee or the timestamp changed
    return _is_or_was_published(claim, before, created=created)  # a draft that stays a draft shows nowhere


def _deleted_claim_showed(claim: Claim) -> bool:
    before = claim.__dict__.get(_SNAPSHOT)
    return before is None or before[_PUBLISHED_AT] is not None or claim.published_at is not None


_SCHEDULED = "_public_cache_invalidation"


def has_uncommitted_changes(using: str = DEFAULT_DB_ALIAS) -> bool:
    """True inside a transaction that has changed something public and not committed yet.

    The connection remembers the callback it scheduled; it counts only while it is still
    queued, since rolling back a savepoint or the transaction drops it from the queue.
    """
    connection = transaction.get_connection(using)
    scheduled = getattr(connection, _SCHEDULED, None)
    return (
        scheduled is not None
        and connection.in_atomic_block
        and any(func is scheduled for _savepoints, func, _robust in connection.run_on_commit)
    )


def _changed(using: str) -> None:
    # Once per transaction and after commit: a bulk action over many claims moves the
    # generation on once, and no Redis call waits inside the transaction. Until then
    # other requests see the committed rows and the pages made from them, which agree;
    # the writing request itself stays away from the cache (see has_uncommitted_changes).
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        invalidate()
        return
    if has_uncommitted_changes(using):
        return

    def invalidate_after_commit():
        setattr(connection, _SCHEDULED, None)
        invalidate()

    setattr(connection, _SCHEDULED, invalidate_after_commit)
    transaction.on_commit(invalidate_after_commit, using=using, robust=True)


def _on_save(sender, instance, created, using, **kwargs):
    if _claim_change_shows(instance, created, _is_correction(instance)):
        _changed(using)


def _on_delete(sender, instance, using, **kwargs):
    if _deleted_claim_showed(instance):
        _changed(using)


post_init.connect(_remember_public_state, sender=Claim, dispatch_uid="public-cache-claim-state")
for _model in (Claim, Claimant):
    pre_save.connect(_stamp_public_change, sender=_model, dispatch_uid=f"public-stamp-{_model.__name__}")
    post_save.connect(_write_left_out_stamp, sender=_model, dispatch_uid=f"public-stamp-left-out-{_model.__name__}")
post_delete.connect(_stamp_deleted_claims_claimant, sender=Claim, dispatch_uid="public-stamp-claim-deleted")
for _model in (Update, Appearance, Claimant, Source):
    # These also move the generation on, when what they change shows on a published claim.
    post_save.connect(_stamp_related_claims, sender=_model, dispatch_uid=f"public-stamp-save-{_model.__name__}")
for _model in (Update, Appearance):
    post_delete.connect(_stamp_related_claims, sender=_model, dispatch_uid=f"public-stamp-delete-{_model.__name__}")
# A claimant or source can only be deleted while no claim refers to it (PROTECT): readers saw it nowhere.
post_save.connect(_on_save, sender=Claim, dispatch_uid="public-cache-save-Claim")


def _methodology_changed(sender, instance, using, raw=False, **kwargs):
    _changed(using)  # /methodology/ shows it (and every page's frame links there)


post_save.connect(_methodology_changed, sender=MethodologyText, dispatch_uid="public-cache-save-MethodologyText")
post_delete.connect(_on_delete, sender=Claim, dispatch_uid="public-cache-delete-Claim")


# --- whole responses ----------------------------------------------------------------


def _reader_is_anonymous(request) -> bool:
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def _page_key(request) -> str:
    # The raw Host header is enough to tell sites apart: CommonMiddleware has already
    # refused hosts outside ALLOWED_HOSTS before any view runs.
    address = f"{request.META.get('HTTP_HOST', '')}{request.get_full_path()}"
    digest = hashlib.blake2b(address.encode(), digest_size=16).hexdigest()
    return f"{PAGE_PREFIX}{newsroom_today().isoformat()}:{digest}"


def _last_modified(generation: str | None) -> int:
    # At midnight pages change without a write ("days left"), so never older than today.
    # Whole seconds: HTTP dates have no fractions, and If-Modified-Since is compared to this.
    start_of_today = timezone.make_aware(datetime.datetime.combine(newsroom_today(), datetime.time())).timestamp()
    return int(max(_stamp_time(generation), start_of_today))


def _etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


CACHE_CONTROL = f"public, max-age={BROWSER_MAX_AGE}"

# Marks a view's decorators leave on its response for the middleware that writes headers
# after it: X-Frame-Options (django.views.decorators.clickjacking) and the
# Content-Security-Policy (django-csp's csp, csp_update, csp_replace, csp_exempt).
HEADER_RULES = (
    "xframe_options_exempt",
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)


def header_rules(response) -> dict:
    """The header rules a view set on ``response`` (see HEADER_RULES), to keep with its body."""
    return {name: getattr(response, name) for name in HEADER_RULES if hasattr(response, name)}


def _apply_header_rules(response, rules: dict):
    for name, value in rules.items():
        setattr(response, name, value)
    return response


def _finish(request, response, *, etag: str, last_modified: int | None):
    response["ETag"] = etag
    # Public views set no Cache-Control of their own, so there is nothing to merge with.
    if getattr(request, "public_cache_stale_data", False):
        # Built from the previous value of an aggregate that is being recomputed: good to
        # show, not to keep. Without a date, a client that revalidates by date alone
        # cannot be told "not modified" about it once the new value is in.
        response["Cache-Control"] = "no-cache"
        last_modified = None
    else:
        response["Last-Modified"] = http_date(last_modified)
        response["Cache-Control"] = CACHE_CONTROL
    meta = request.META
    if "HTTP_IF_NONE_MATCH" in meta or "HTTP_IF_MODIFIED_SINCE" in meta:
        answer = get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)
        # A 304 is a new response: browsers merge its headers into the copy they keep, so it
        # must carry the page's own (a framed page refused on revalidation otherwise).
        return _apply_header_rules(answer, header_rules(response)) if answer is not response else answer
    return response


def conditional_response(request, response, *, etag: str, last_modified: int):
    """Send ``response`` with this module's validators and caching headers, or a 304 (for what is not kept here)."""
    return _finish(request, response, etag=etag, last_modified=last_modified)


def being_built(message: str, retry_after: int) -> HttpResponse:
    """503 with Retry-After for a document a worker builds (the sitemaps, the open data files) not stored yet."""
    response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # expected until the first build: not an error (see claims.throttle.guard)
    return response


def _from_entry(request, entry):
    _generation, status, content_type, etag, last_modified, rules, body = entry
    response = _apply_header_rules(HttpResponse(body, status=status, content_type=content_type), rules)
    return _finish(request, response, etag=etag, last_modified=last_modified)


class LocalPages:
    """A small copy of hot pages in this process, used without asking Redis for a short while.

    A hit through Redis costs a round trip and the transfer of the page; for the most
    requested pages this process keeps the entries it served, and trusts its last look at
    the generation for ``PUBLIC_CACHE_LOCAL_SECONDS`` (default 1 s). A write in this
    process forgets them at once; a write in another process is seen here within that time.

    With threaded workers, a request may have fetched the generation from Redis before a
    write in another thread moved it on; its late ``saw_generation``/``put`` must not bring
    the old pages back. So ``forget`` moves a local epoch on, and those calls carry the
    epoch their request started in: anything from before the last ``forget`` is dropped.
    """

    def __init__(self, max_entries: int = 512, max_bytes: int = 32 * 1024 * 1024):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._lock = threading.Lock()
        self._epoch = 0
        self.forget()

    def epoch(self) -> int:
        """Read before asking Redis; pass it to saw_generation and put."""
        return self._epoch

    def forget(self) -> None:
        with self._lock:
            self._epoch += 1
            self._entries: OrderedDict[str, tuple] = OrderedDict()
            self._bytes = 0
            self._generation, self._checked_at = None, 0.0

    def generation(self) -> str | None:
        """The generation seen lately enough to be trusted, or None (ask Redis)."""
        seconds = getattr(settings, "PUBLIC_CACHE_LOCAL_SECONDS", 1.0)
        if self._generation is not None and time.monotonic() - self._checked_at < seconds:
            return self._generation
        return None

    def saw_generation(self, generation: str | None, epoch: int) -> None:
        with self._lock:
            if epoch != self._epoch:
                return  # forgotten since this request asked Redis: what it saw may be old
            if generation != self._generation:
                self._entries.clear()
                self._bytes = 0
            self._generation, self._checked_at = generation, time.monotonic()

    def get(self, key: str, generation: str):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != generation:
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: tuple, epoch: int) -> None:
        size = len(entry[-1])
        if size > self.max_bytes // 8:
            return  # a very large page (a big sitemap) would push out many small ones
        with self._lock:
            if epoch != self._epoch:
                return
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old[-1])
            self._entries[key] = entry
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _key, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped[-1])


local_pages = LocalPages()


def keep_parameters(request, params: tuple[str, ...]) -> None:
    """Make the request's query string the parameters ``params`` the page uses, in that order, and nothing else.

    Any other parameter (``?r=123``, a campaign tag) is dropped before the view or the
    cache key sees it, so that made-up addresses cannot get past the page cache, and the
    page is the one of its canonical address byte for byte (its pager and the API's
    links included: they are built from the same query string). Repeated values of a
    used parameter stay, in their order.
    """
    if not request.META.get("QUERY_STRING"):
        return  # most requests: nothing to drop
    asked = request.GET
    kept = QueryDict(mutable=True)
    for name in params:
        if name in asked:
            kept.setlist(name, asked.getlist(name))
    kept._mutable = False
    request.GET = kept
    request.META["QUERY_STRING"] = kept.urlencode()


def cache_public(view: Callable, *, params: tuple[str, ...] = ()) -> Callable:
    """Serve a public view from the cache for anonymous GET and HEAD; add ETag/Last-Modified always.

    ``params``: the query parameters the view uses; the others are ignored (see keep_parameters).
    """
    params = tuple(params)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        keep_parameters(request, params)
        cacheable = (
            request.method in ("GET", "HEAD")
            and _reader_is_anonymous(request)
            and page_seconds() > 0
            and not has_uncommitted_changes()
        )
        if not cacheable:
            response = _render(view(request, *args, **kwargs))
            if response.status_code != 200 or response.streaming:
                return response
            return _finish(request, response, etag=_etag(response.content), last_modified=int(time.time()))

        key = _page_key(request)
        epoch = local_pages.epoch()
        generation = local_pages.generation()
        if generation is not None:
            entry = local_pages.get(key, generation)
            if entry is not None:
                return _from_entry(request, entry)

        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY) or current_generation()
        local_pages.saw_generation(generation, epoch)
        entry = found.get(key)
        if entry is not None and entry[0] == generation:
            local_pages.put(key, entry, epoch)
            return _from_entry(request, entry)

        request.public_generation = generation
        response = _render(view(request, *args, **kwargs))
        if response.status_code != 200 or response.streaming:
            return response
        body = response.content
        etag, last_modified = _etag(body), _last_modified(generation)
        if generation is not None and not getattr(request, "public_cache_stale_data", False):
            entry = (
                generation, response.status_code, response["Content-Type"], etag, last_modified,
                header_rules(response), body,
            )  # fmt: skip
            cache.set(key, entry, timeout=page_seconds())
            local_pages.put(key, entry, epoch)
        return _finish(request, response, etag=etag, last_modified=last_modified)

    return wrapper


def _render(response):
    # TemplateResponse and DRF's Response render lazily; the cache needs the bytes now.
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    return response


# --- computed data ------------------------------------------------------------------


def data_key(name: str) -> str:
    return f"{DATA_PREFIX}v{DATA_VERSION}:{name}"


def lock_holder() -> int:
    """A value that tells this holder's lock from any other's (see FailOpenRedisCache.delete_if_equal)."""
    return secrets.randbits(62)


def lock_key(name: str) -> str:
    """Taken by the one request (or task) that recomputes ``name``; the others use the previous value."""
    return f"{data_key(name)}:lock"


def data_stamp(generation: str | None) -> str | None:
    """What an entry must carry to be current: the generation and the newsroom's day.

    The day is in the entry, not in its key (as it is for pages): after midnight the
    previous day's entry is still found, and served as the previous value while one
    request or the worker recomputes it, instead of every reader computing at once.
    """
    return None if generation is None else f"{generation}@{newsroom_today().isoformat()}"


def _lifetime(timeout: int | None) -> int:
    # Entries live no longer than a page (at least 5 minutes) unless told otherwise: should
    # a change ever fail to move the generation on, that bounds how long one can be wrong.
    return timeout or max(page_seconds(), 300)


def is_current(name: str, stamp: str) -> bool:
    entry = cache.get(data_key(name))
    return entry is not None and entry[0] == stamp


def store(name: str, stamp: str, value, *, timeout: int | None = None) -> None:
    """Keep ``value`` as what ``name`` is at ``stamp`` (data_stamp, taken before computing it)."""
    cache.set(data_key(name), (stamp, value), timeout=_lifetime(timeout))


def _request_generation(request) -> str | None:
    """The generation, read from Redis once per request."""
    generation = getattr(request, "public_generation", None)
    if generation is None:
        generation = current_generation()
        if request is not None:
            request.public_generation = generation
    return generation


def prefetch(request, *names: str) -> None:
    """Fetch the generation and the entries ``names`` in one Redis round trip.

    A view that will call remember()/peek() for several names calls this first: they then
    find their entries on the request instead of asking Redis one by one.
    """
    if has_uncommitted_changes():
        return
    keys = {data_key(name): name for name in names}
    wanted = list(keys)
    generation = getattr(request, "public_generation", None)
    if generation is None:
        wanted.append(GENERATION_KEY)
    found = cache.get_many(wanted)
    if generation is None:
        request.public_generation = found.get(GENERATION_KEY) or current_generation()
    request.public_prefetched = {name: found.get(key) for key, name in keys.items()}


def _entry(name: str, request):
    prefetched = getattr(request, "public_prefetched", None)
    if prefetched is not None and name in prefetched:
        return prefetched[name]
    return cache.get(data_key(name))


def peek(name: str, *, request=None):
    """What remember() holds for ``name`` if it is current, else None; never computes."""
    if has_uncommitted_changes():
        return None
    stamp = data_stamp(_request_generation(request))
    entry = _entry(name, request)
    if entry is not None and stamp is not None and entry[0] == stamp:
        return entry[1]
    return None


def remember(name: str, compute: Callable, *, request=None, timeout: int | None = None):
    """Return compute(), cached until the next public change (or the newsroom's midnight).

    Expensive aggregates (track records, filter choices) are shared by many pages and
    survive page-cache misses. After a change, one request recomputes while the others
    keep using the previous value (the page built from it is then not cached), so a
    burst of readers right after an edit does not run the same heavy query many times.

    Entries live no longer than a page (at least 5 minutes) unless ``timeout`` says
    otherwise: should a change ever fail to move the generation on, that bounds how long
    an aggregate can be wrong. Aggregates too slow for any reader to wait for are also
    recomputed by a worker after each change (claims.public_refresh).
    """
    if has_uncommitted_changes():
        return compute()  # this request sees rows nobody else sees yet
    stamp = data_stamp(_request_generation(request))  # before computing: a change or midnight meanwhile makes it stale
    entry = _entry(name, request)
    if entry is not None and stamp is not None and entry[0] == stamp:
        return entry[1]
    lock, holder = lock_key(name), lock_holder()
    if entry is not None and not cache.add(lock, holder, timeout=LOCK_SECONDS):
        if request is not None:
            request.public_cache_stale_data = True
        return entry[1]
    try:
        value = compute()
        if stamp is not None:
            store(name, stamp, value, timeout=timeout)
            prefetched = getattr(request, "public_prefetched", None)
            if prefetched is not None and name in prefetched:
                prefetched[name] = (stamp, value)
    finally:
        if entry is not None:
            # Only this request's own lock: a writer may have replaced it meanwhile, to hold
            # readers on this value while a worker computes the next (claims.public_refresh).
            cache.delete_if_equal(lock, holder)
    return value


def clear() -> int:
    """Delete every public cache entry (this project's key prefix only); returns how many."""
    local_pages.forget()
    # Each backend knows how to find its keys (FailOpenRedisCache, factcheck.sqlite_cache.SQLiteCache).
    return cache.delete_matching("public:*")

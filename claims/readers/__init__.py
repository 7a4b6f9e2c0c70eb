"""Readers in the loop: tips, following by email, and the embeddable claim card.

- tips: a reader's suggestion of a claim, the desk's decision, the tipster told once;
- subscriptions: following a claim, a claimant or everything (double opt-in), stopping, erasure;
- events: the changes followers are told of, written with the change (or found, for overdue);
- digests: the outbox sweep that fans events out and sends them, AT LEAST ONCE (its docstring);
- emails: the messages, each with a one-click unsubscribe (RFC 8058);
- tokens: the signed links in them; enqueue: asking a worker for a sweep;
- forms, views, urls: the public pages (/suggest/, /follow/...), never cached;
- embed: the card other sites may frame (/claims/<slug>/embed/) and its oEmbed endpoint.

The desk's pages are in claims.admin.readers. Importing this package connects the
receiver that writes events (claims.apps.ClaimsConfig.ready does).
"""

from claims.readers import events  # noqa: F401 - writes an event for each public change of a claim

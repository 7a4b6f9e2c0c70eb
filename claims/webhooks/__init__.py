"""Signed webhooks for partners: a claim's public changes POSTed to their endpoints (Standard Webhooks).

- ``models``: the endpoints chief editors register, and the outbox of deliveries;
- ``events``: a delivery row per subscribed endpoint, written in the transaction of the
  change itself (claims.history's public events), with the body it will carry;
- ``signing``: the Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature);
- ``transport``: the POST, to an address checked after DNS resolution and connected to as checked;
- ``sender``: the outbox sweep: in order per claim, at least once, retried with backoff,
  an endpoint disabled (and the chief editors told) after WEBHOOK_MAX_FAILURES failures in a row.
"""

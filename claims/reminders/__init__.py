"""Deadline reminders: an outbox of reminder rows, kept in step with claims, sent by sweeps.

- points: when reminders fall due (pure date arithmetic in the newsroom's zone);
- schedule: which rows exist, kept in step by a claims.services save hook;
- sweep: claiming due rows and sending them, AT LEAST ONCE (the reasoning is in its docstring);
- digest: the email, one per recipient per sweep;
- enqueue: asking a worker for a sweep without ever blocking a request on Redis;
- desk: the admin's read-only reminders inline and its "Due soon" page.

Importing this package registers the save hook (claims.apps.ClaimsConfig.ready does).
"""

from claims import services
from claims.reminders.schedule import sync_claim

if sync_claim not in services.claim_saved_hooks:
    services.claim_saved_hooks.append(sync_claim)

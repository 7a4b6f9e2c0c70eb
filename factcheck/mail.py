"""Email in development: each message written to the log at INFO instead of being sent.

With DEBUG=1 and no mail server set (EMAIL_URL, EMAIL_HOST), Django's console backend
would print whole MIME messages to stdout, which Celery's worker relays as WARNING
lines. This backend logs what a reader wants to see, sender, recipients, subject and the
plain text, as one INFO record of the ``factcheck.mail`` logger, in the process that
sends: for reminders, the worker (in `make run`'s output, lines of ``worker.1``).
"""

import logging

from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger("factcheck.mail")


class LoggingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            logger.info(
                "Email not sent (development: no EMAIL_URL or EMAIL_HOST)\nFrom: %s\nTo: %s\nSubject: %s\n\n%s",
                message.from_email,
                ", ".join(message.recipients()),
                message.subject,
                message.body.rstrip(),
            )
        return len(email_messages)

"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

``webhook-signature`` is "v1," and the base64 of HMAC-SHA256, keyed with the secret's
bytes (the base64 after "whsec_"), over "{webhook-id}.{webhook-timestamp}.{body}". The
id stays the same on every attempt of a delivery, so receivers can drop duplicates; the
timestamp is the attempt's, so that receivers can refuse old replays.
"""

import base64
import hashlib
import hmac


def signature(secret: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(secret, signed, hashlib.sha256).digest()).decode()


def headers(secret: bytes, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, msg_id, timestamp, body),
        "content-type": "application/json",
    }

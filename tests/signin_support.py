"""Helpers for the sign-in tests: a password hasher that counts, sign-in steps, codes computed as an app would."""

import base64
import re

from django.contrib.auth.hashers import MD5PasswordHasher
from django_otp.oath import totp

LOGIN = "/admin/login/"
LOGOUT = "/admin/logout/"
ENROL = "/admin/signin/enrol/"
VERIFY = "/admin/signin/verify/"
OVERVIEW = "/admin/signin/"
PASSWORD = "correct horse battery"  # tests.conftest.make_user's


class CountingHasher(MD5PasswordHasher):
    """Fast, and counts every hash it computes: a locked-out attempt must compute none."""

    algorithm = "counting_md5"
    hashes = 0

    def encode(self, password, salt):
        CountingHasher.hashes += 1
        return super().encode(password, salt)


def sign_in(client, username, password=PASSWORD, *, address="198.51.100.7", **headers):
    """The admin's sign-in form, posted as a browser would."""
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=address, **headers
    )


def secret_from(page) -> str:
    """The base32 key the enrolment page offers to type by hand (what the QR code holds)."""
    return re.search(r'id="totp-secret" data-secret="([A-Z2-7=]+)"', page.content.decode()).group(1)


def code_for(secret: str) -> str:
    """What an authenticator app shows now for this key (RFC 6238, 30 s, 6 digits)."""
    return f"{totp(base64.b32decode(secret)):06d}"


def backup_codes_from(page) -> list[str]:
    return re.findall(r"<li><code>([a-z2-7]+)</code></li>", page.content.decode())


def enrol(client) -> tuple[str, list[str]]:
    """Enrol the signed-in account through the pages; returns its key and its backup codes."""
    secret = secret_from(client.get(ENROL))
    page = client.post(ENROL, {"code": code_for(secret), "next": "/admin/"})
    assert page.status_code == 200, page.content.decode()
    codes = backup_codes_from(page)
    assert len(codes) == 10
    return secret, codes

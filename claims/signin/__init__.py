"""Signing in to the desk: lockout after failed passwords, and a second factor for publishers.

Two guarantees, each held by a mechanism rather than by what a page shows:

- **A locked-out pair is refused before its password is hashed.** django-axes' backend runs
  first in AUTHENTICATION_BACKENDS and refuses a username and address that failed
  LOGIN_FAILURE_LIMIT times until LOGIN_COOLOFF_MINUTES passed since the last failure, the
  right password included. Refusing before hashing is what keeps a password-guessing run
  from eating the CPU that readers' pages need: Django's password hash is slow on purpose
  (PBKDF2, a million rounds). The page shown is the same whether or not the username exists
  (lockout.py).
- **Publish and delete need a second factor in this session** when REQUIRE_2FA asks for it.
  backends.SecondFactorPermissions answers every ``has_perm`` for those permissions with
  a refusal until the session is OTP-verified (django-otp), so the admin, the services and
  anything else that asks Django for a permission are covered alike. With
  ``REQUIRE_2FA=staff``, middleware.SecondFactorMiddleware also keeps an unverified staff
  session out of the whole desk.

Enrolment (an authenticator app plus single-use backup codes), the code step after the
password, and the reset of another person's devices by a chief editor are in devices.py
(the writes) and views.py (the pages).
"""

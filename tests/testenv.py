"""Environment defaults for the test run, loaded as a pytest plugin (`-p tests.testenv`).

pytest-django imports settings before any conftest runs, so these must be set here. The
suite runs with DEBUG off (production-like); only transport settings that need a real TLS
front end, and the hashed static manifest that needs `collectstatic`, are relaxed.
Anything already set in the environment (DATABASE_URL, REDIS_URL from CI) wins.
"""

from __future__ import annotations

import os

for name, value in {
    "DJANGO_SECRET_KEY": "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_SECURE_COOKIES": "0",
    "DJANGO_HSTS_SECONDS": "0",
    "HARMSPORTAL_STATIC_MANIFEST": "0",
    "HARMSPORTAL_STATIC_FROM_FINDERS": "1",
    # A fixed Fernet key for tests only; production keys come from the environment.
    "HARMSPORTAL_EVIDENCE_KEYS": "dGVzdHMtb25seS1ldmlkZW5jZS1rZXktMDEyMzQ1Njc=",
    "HARMSPORTAL_MFA_KEYS": "qkHiDkOt0HdTPYm6nr2zhSxES1j8nxBxMCNqz2554E0=",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "HARMSPORTAL_PRIVATE_STORAGE": os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "var", "test-private"
    ),
}.items():
    os.environ.setdefault(name, value)

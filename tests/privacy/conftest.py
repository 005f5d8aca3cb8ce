"""Shared by the privacy tests (subject access, retention). The personas live in
tests/conftest.py; add here only what both privacy suites need."""

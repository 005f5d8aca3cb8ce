"""Production configuration: `check --deploy` passes, and .env.example documents every setting."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "harmsportal" / "settings.py"
ENV_EXAMPLE = ROOT / ".env.example"

# env.str("X"), env.bool("X", ...), env.db_url("X"), _int("X", ...): every way settings reads one.
SETTINGS_READ = re.compile(r"""\b(?:env\.[a-z_]+|env|_int)\(\s*["']([A-Z][A-Z0-9_]*)["']""")
ASSIGNMENT = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")

# Nothing of the test process's own configuration (DJANGO_ALLOW_ASYNC_UNSAFE while the browser
# tests run, say) may reach the check: it must see only what a deployment would set.
INHERITED_NEVER = ("DJANGO_", "HARMSPORTAL_", "CELERY_", "EMAIL_", "DATABASE_", "REDIS_")

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_ALLOWED_HOSTS": "harms.example.police.uk",
    "DJANGO_SECURE_SSL_REDIRECT": "1",
    "DJANGO_SECURE_COOKIES": "1",
    "DJANGO_HSTS_SECONDS": "31536000",
}


def variables_settings_reads() -> set[str]:
    return set(SETTINGS_READ.findall(SETTINGS.read_text(encoding="utf-8")))


def env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = ASSIGNMENT.match(line.strip())
        if match:
            name, value = match.groups()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            values[name] = value
    return values


def production_environment(**overrides: str) -> dict[str, str]:
    """The process environment with every portal variable replaced, none inherited.

    The test run's own relaxations (tests/testenv.py) must not leak into the check, and a
    developer's `.env` cannot override what is set here (settings reads it without overwrite).
    """
    ours = variables_settings_reads() | set(env_example())
    base = {
        name: value
        for name, value in os.environ.items()
        if name not in ours and not name.startswith(INHERITED_NEVER)
    }
    base.update(env_example())
    base["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(64)
    base.update(overrides)
    return base


def run_deploy_check(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_settings_reads_the_variables_we_expect_to_find():
    # Guards the regex below it: if settings changed how it reads the environment, the
    # completeness test would pass vacuously.
    found = variables_settings_reads()
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "HARMSPORTAL_LOGIN_FAILURE_LIMIT"} <= found


def test_every_variable_settings_reads_is_documented_in_env_example():
    missing = sorted(variables_settings_reads() - set(env_example()))
    assert not missing, f".env.example does not document: {', '.join(missing)}"


def test_every_example_variable_has_a_comment_above_it():
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    uncommented = []
    for index, line in enumerate(lines):
        if ASSIGNMENT.match(line):
            block = lines[:index]
            while block and ASSIGNMENT.match(block[-1]):
                block.pop()  # a run of related variables may share one comment
            if not block or not block[-1].startswith("#"):
                uncommented.append(line.split("=", 1)[0])
    assert not uncommented, f"no comment for: {', '.join(uncommented)}"


def test_deploy_check_passes_with_production_settings():
    result = run_deploy_check(production_environment(**PRODUCTION))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_passes_with_the_env_example_values():
    result = run_deploy_check(production_environment())
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_refuses_debug_in_production():
    # The check can fail: DEBUG on is reported, so a pass above means something.
    result = run_deploy_check(production_environment(DJANGO_DEBUG="1"))
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr

"""docker-compose.yml and the Dockerfile run exactly the commands these tests exercise.

There is no Docker engine in CI, so each service's command is run here as a plain process
(gunicorn serving /healthz to the real health probe, migrate on a fresh database, celery
parsing its options) and the files are checked for the promises docs/operations.md makes.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
APP_SERVICES = ("migrate", "web", "worker", "beat")
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def command(service: str) -> list[str]:
    value = SERVICES[service]["command"]
    return shlex.split(value) if isinstance(value, str) else list(value)


def local(argv: list[str]) -> list[str]:
    """The container's command, run with this virtualenv's interpreter and scripts."""
    program = sys.executable if argv[0] == "python" else str(BIN / argv[0])
    return [program, *argv[1:]]


def dockerfile_cmd() -> list[str]:
    match = re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.MULTILINE)
    assert match is not None, "Dockerfile has no exec-form CMD"
    return yaml.safe_load(match.group(1))  # a JSON array is YAML too


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_healthcheck():
    spec = importlib.util.spec_from_file_location("healthcheck", ROOT / "docker" / "healthcheck.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_compose_defines_the_whole_stack():
    assert set(SERVICES) == {"db", "redis", "migrate", "web", "worker", "beat", "mailpit"}
    assert SERVICES["db"]["image"].startswith("postgres:16")
    assert SERVICES["redis"]["image"].startswith("redis:7")
    assert SERVICES["mailpit"]["image"].startswith("axllent/mailpit")


@pytest.mark.parametrize("service", ["db", "redis", "web"])
def test_stateful_and_serving_services_have_healthchecks(service):
    test = SERVICES[service]["healthcheck"]["test"]
    assert test[0] == "CMD"
    assert len(test) > 1


def test_database_and_redis_healthchecks_ask_the_service_itself():
    assert SERVICES["db"]["healthcheck"]["test"][1] == "pg_isready"
    assert SERVICES["redis"]["healthcheck"]["test"][1:] == ["redis-cli", "ping"]


def test_services_start_in_order_migrations_before_app():
    assert SERVICES["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    for service in ("web", "worker", "beat"):
        depends = SERVICES[service]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}
        assert depends["redis"] == {"condition": "service_healthy"}
    assert SERVICES["migrate"]["restart"] == "no"  # a one-shot job, never restarted


def test_redis_keeps_queued_tasks_across_restarts_and_never_evicts_them():
    argv = command("redis")
    assert argv[0] == "redis-server"
    assert argv[argv.index("--appendonly") + 1] == "yes"
    assert argv[argv.index("--maxmemory-policy") + 1] == "noeviction"
    assert any(volume.endswith(":/data") for volume in SERVICES["redis"]["volumes"])


def test_exactly_one_beat_schedules_periodic_tasks():
    beats = [name for name in SERVICES if "command" in SERVICES[name] and "beat" in command(name)]
    assert beats == ["beat"]
    assert SERVICES["beat"].get("deploy", {}).get("replicas", 1) == 1


def test_app_services_share_one_environment():
    environments = [SERVICES[name]["environment"] for name in APP_SERVICES]
    assert all(environment == environments[0] for environment in environments)
    env = environments[0]
    # Secrets have no defaults: compose refuses to start until they are set.
    assert env["DJANGO_SECRET_KEY"] == "${DJANGO_SECRET_KEY:?set it}"
    assert env["HARMSPORTAL_EVIDENCE_KEYS"] == "${HARMSPORTAL_EVIDENCE_KEYS:?set it}"
    assert ":?set it}" in env["DATABASE_URL"]
    assert env["DATABASE_URL"].startswith("postgres://")
    assert "@db:5432/" in env["DATABASE_URL"]
    assert env["CELERY_BROKER_URL"] == env["REDIS_URL"] == "redis://redis:6379/0"
    assert env["REDIS_CACHE_URL"] != env["CELERY_BROKER_URL"]  # clearing the cache keeps tasks
    assert (env["EMAIL_HOST"], env["EMAIL_PORT"]) == ("mailpit", "1025")
    assert env["DJANGO_DEBUG"] == "0"
    # Local compose has no TLS in front: documented at the top of docker-compose.yml.
    assert env["DJANGO_SECURE_SSL_REDIRECT"] == "0"


def test_compose_environment_sets_only_variables_settings_reads():
    from tests.test_deploy import env_example, variables_settings_reads

    known = variables_settings_reads() | set(env_example())
    unknown = set(SERVICES["web"]["environment"]) - known
    assert not unknown, f"compose sets variables nothing reads: {sorted(unknown)}"


def test_migrate_command_is_the_makefiles():
    recipe = re.search(r"^migrate:.*\n\t(.+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert recipe is not None
    makefile_command = shlex.split(recipe.group(1).replace("$(PY)", "python"))
    assert command("migrate") == makefile_command == ["python", "manage.py", "migrate", "--noinput"]


def test_migrate_command_builds_a_fresh_database(tmp_path):
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"}
    result = subprocess.run(
        local(command("migrate")),
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "fresh.sqlite3").stat().st_size > 0


def test_web_command_serves_the_wsgi_application_the_tests_use():
    from harmsportal.wsgi import application

    argv = command("web")
    assert argv[:2] == ["gunicorn", "harmsportal.wsgi:application"]
    assert callable(application)
    assert argv == dockerfile_cmd()  # `docker run` without a command serves the same way


def test_web_command_passes_the_container_healthcheck(tmp_path):
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'web.sqlite3'}",
        "DJANGO_ALLOWED_HOSTS": "harms.example.police.uk,localhost",
        "WEB_CONCURRENCY": "1",
        "HEALTHCHECK_URL": f"http://127.0.0.1:{port}/healthz",
    }
    # The compose command as it stands, except the address: CLI options beat the config file.
    server = subprocess.Popen(
        [*local(command("web")), "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    probe = local(SERVICES["web"]["healthcheck"]["test"][1:])
    try:
        deadline = time.monotonic() + 60
        while True:
            result = subprocess.run(
                probe, cwd=ROOT, env=environment, capture_output=True, text=True, check=False
            )
            if result.returncode == 0 or time.monotonic() > deadline or server.poll() is not None:
                break
            time.sleep(0.5)
        assert result.returncode == 0, f"probe: {result.stderr}"
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert "Booting worker" in errors


def test_healthcheck_fails_when_nothing_answers():
    environment = {**os.environ, "HEALTHCHECK_URL": f"http://127.0.0.1:{free_port()}/healthz"}
    result = subprocess.run(
        local(SERVICES["web"]["healthcheck"]["test"][1:]),
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "unhealthy" in result.stderr


@pytest.mark.parametrize(
    ("allowed_hosts", "host"),
    [
        ("harms.example.police.uk,localhost", "harms.example.police.uk"),
        (".example.police.uk", "health.example.police.uk"),
        ("*", "localhost"),
        ("", "localhost"),
    ],
)
def test_healthcheck_sends_a_host_django_accepts(allowed_hosts, host):
    assert load_healthcheck().probe_host(allowed_hosts) == host


@pytest.mark.parametrize("service", ["worker", "beat"])
def test_celery_services_run_the_app_the_tests_import(service):
    from harmsportal import celery_app

    argv = command(service)
    assert argv[:4] == ["celery", "-A", "harmsportal", service]
    assert celery_app.main == "harmsportal"
    # Every option must exist: click refuses an unknown one before it shows the help.
    result = subprocess.run(
        [*local(argv), "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_worker_takes_one_task_at_a_time_as_settings_expect():
    assert "--prefetch-multiplier=1" in command("worker")
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1


def test_every_scheduled_task_exists_for_beat_to_send():
    from harmsportal import celery_app

    celery_app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled, "beat has nothing to schedule"
    assert scheduled <= set(celery_app.tasks), sorted(scheduled - set(celery_app.tasks))


def test_dockerfile_installs_the_lock_on_python_311_slim():
    assert re.search(r"^FROM python:3\.11-slim\b", DOCKERFILE, re.MULTILINE)
    assert re.search(r"^RUN pip install -r requirements\.lock$", DOCKERFILE, re.MULTILINE)
    assert "libmagic1" in DOCKERFILE
    assert "collectstatic --noinput" in DOCKERFILE


def test_dockerfile_runs_as_an_unprivileged_user():
    users = re.findall(r"^USER (\S+)$", DOCKERFILE, re.MULTILINE)
    assert users
    assert users[-1] not in {"root", "0"}


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".env", ".git", ".venv", "db.sqlite3*", "var/"} <= ignored

"""load_mixed: about 50 people using the portal at once, against gunicorn on loopback.

gunicorn (3 sync workers, as docker/gunicorn.conf.py runs by default) serves the portal on a
spare loopback port, on the harness's throwaway database, with a private Redis for the cache
and broker and one Celery worker delivering the acknowledgements. locust (headless, in its own
process: bench/_locustfile.py) plays signed-in people who spend 2 to 5 s on each page (real
people take far longer over a question; the bench is meant to press the server, not to idle):

- reporters adding a small phone photo to a report they sent earlier, then filing a whole
  new report (every question page, another photo, check answers and send) (weight 20);
- triagers claiming the next case, reading it and writing to the reporter (10);
- wellbeing champions reading their queue, capacity and library pages (10);
- force leads reading their force's trends dashboards (10).

QUEUED_REPORTS sent reports are waiting when the run starts, so triagers have work at once.
Two phases in one run: ONE person does each role's journey in turn (the single-user
baseline), then USERS people for DURATION seconds. Page views (every GET and form post) and
uploads (the evidence photo posts) are counted apart. The ratio is the page-view p95 under load over the
single person's page-view p95 (target <= 5); any failed request (an error, a 4xx/5xx, or a
form that did not save) fails the workload's target whatever the ratio, since the target is
0 errors.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import BenchResult
from bench._procs import ROOT, celery_worker, gunicorn, private_redis, service_env, tail

NAME = "load_mixed"
TARGET = 5.0
USERS = int(os.environ.get("BENCH_LOAD_USERS", "50"))
DURATION = int(os.environ.get("BENCH_LOAD_SECONDS", "60"))
SOLO_SECONDS = int(os.environ.get("BENCH_LOAD_SOLO_SECONDS", "30"))
# Seconds a person spends on a page (reading, typing) before the next request, drawn evenly.
THINK = os.environ.get("BENCH_LOAD_THINK", "2,5")
# The single person reads faster, only so that a short phase still gives enough samples: with
# the server otherwise idle, how long they pause does not change how fast it answers.
SOLO_THINK = os.environ.get("BENCH_LOAD_SOLO_THINK", "0.2,0.5")
# Reports already sent when the run starts, so that triagers have cases to claim at once.
QUEUED_REPORTS = int(os.environ.get("BENCH_LOAD_QUEUED_REPORTS", "120"))
WEB_WORKERS = int(os.environ.get("BENCH_LOAD_WEB_WORKERS", "3"))
FORCE = "north-yorkshire"
ACCOUNTS = {"reporter": 25, "triage": 12, "champion": 12, "force_lead": 12}


def run() -> BenchResult:
    from django.db import connection

    with tempfile.TemporaryDirectory(prefix="harmsportal-bench-load-") as folder:
        scratch = Path(folder)
        data_file = scratch / "users.json"
        data_file.write_text(json.dumps(_seed(scratch)))
        web_log, worker_log = scratch / "gunicorn.log", scratch / "worker.log"
        with private_redis(scratch) as redis_base:
            env = service_env(
                redis_url=redis_base,
                EMAIL_BACKEND="bench._mail.RecordingEmailBackend",
                BENCH_MAIL_LOG=str(scratch / "mail.log"),
                BENCH_COUNTER_URL=f"{redis_base}/2",
                HARMSPORTAL_PRIVATE_STORAGE=str(scratch / "private"),
                # Plain HTTP on loopback: no redirect to HTTPS, cookies sent without TLS.
                DJANGO_SECURE_SSL_REDIRECT="0",
                DJANGO_SECURE_COOKIES="0",
                DJANGO_HSTS_SECONDS="0",
                DJANGO_ALLOWED_HOSTS="127.0.0.1",
                # Hashed static names need `collectstatic`, which a benchmark run does not do.
                HARMSPORTAL_STATIC_MANIFEST="0",
                DJANGO_LOG_LEVEL="WARNING",
            )
            with (
                celery_worker(env, concurrency=1, log=worker_log),
                gunicorn(env, workers=WEB_WORKERS, threads=1, log=web_log) as base,
            ):
                locust = _locust_runner(base, data_file, scratch, web_log)
                solo = locust("solo", ["Solo"], users=1, seconds=SOLO_SECONDS, think=SOLO_THINK)
                load = locust(
                    "load",
                    ["Reporter", "Triager", "Champion", "Lead"],
                    users=USERS,
                    seconds=DURATION,
                    think=THINK,
                )
    return _result(solo, load, DURATION, connection.vendor)


def _result(solo: list, load: list, elapsed: float, vendor: str) -> BenchResult:
    pages = [ms for kind, _, ms, _ in load if kind == "page"]
    uploads = [ms for kind, _, ms, _ in load if kind == "upload"]
    solo_pages = [ms for kind, _, ms, _ in solo if kind == "page"]
    errors = sum(failed for *_, failed in load)
    solo_errors = sum(failed for *_, failed in solo)
    if not pages or not solo_pages:
        raise RuntimeError(f"no page views recorded (solo {len(solo_pages)}, load {len(pages)})")
    failing = sorted({name for _, name, _, failed in load + solo if failed})
    _print_table(load)
    ratio = _p(pages, 95) / _p(solo_pages, 95)
    details = (
        f"{USERS} users {DURATION}s: {len(load) / elapsed:.1f} req/s; "
        f"pages {len(pages)} p50 {_p(pages, 50):.0f} ms p95 {_p(pages, 95):.0f} ms; "
        f"uploads {len(uploads)} p50 {_p(uploads, 50):.0f} ms p95 {_p(uploads, 95):.0f} ms; "
        f"errors {errors} (solo {solo_errors}){' in ' + ', '.join(failing) if failing else ''}; "
        f"1 user pages {len(solo_pages)} p50 {_p(solo_pages, 50):.0f} ms "
        f"p95 {_p(solo_pages, 95):.0f} ms; "
        f"gunicorn x{WEB_WORKERS} on {vendor}"
    )
    # The target is 0 errors as well as the ratio: a failed request fails the workload.
    return BenchResult(
        NAME, ratio if not errors + solo_errors else float("inf"), "<=", TARGET, details
    )


def _print_table(samples: list) -> None:
    """Each request name's count, p95 and failures under load, on stderr beside the verdict."""
    names: dict[str, list] = {}
    for _, name, ms, failed in samples:
        names.setdefault(name, []).append((ms, failed))
    for name, rows in sorted(names.items()):
        times = [ms for ms, _ in rows]
        failures = sum(failed for _, failed in rows)
        print(
            f"  {NAME}: {len(rows):5d} x {name:<48} p95 {_p(times, 95):6.0f} ms"
            f"{f'  {failures} FAILED' if failures else ''}",
            file=sys.stderr,
        )


def _p(values: list[float], percent: int) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * percent // 100))
    return ordered[rank - 1]


def _locust_runner(base: str, data_file: Path, scratch: Path, web_log: Path):
    def locust(phase: str, classes: list[str], *, users: int, seconds: int, think: str) -> list:
        samples = scratch / f"samples-{phase}.json"
        log = scratch / f"locust-{phase}.log"
        env = {
            **os.environ,
            "BENCH_LOAD_DATA": str(data_file),
            "BENCH_LOAD_SAMPLES": str(samples),
            "BENCH_LOAD_THINK": think,
            "PYTHONPATH": str(ROOT),
        }
        command = [
            *(sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "_locustfile.py")),
            *("--headless", "--host", base, "--users", str(users)),
            *("--spawn-rate", str(max(1, users // 5)), "--run-time", f"{seconds}s"),
            *("--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"),
            *classes,
        ]
        with log.open("wb") as out:
            finished = subprocess.run(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                timeout=seconds + 120, check=False,
            )  # fmt: skip
        if finished.returncode != 0 or not samples.exists():
            raise RuntimeError(
                f"locust {phase} exited {finished.returncode}:\n{tail(log)}\n"
                f"gunicorn:\n{tail(web_log)}"
            )
        return json.loads(samples.read_text())

    return locust


def _queue_reports(reporters: list, count: int) -> list:
    """`count` sent reports, in turn from each reporter, waiting in the force's triage queue.

    Returns them in that order, so the first len(reporters) are one from each reporter.
    """
    from harmsportal.notifications.services import emails_withheld
    from reports.models import HarmCategory, Platform
    from reports.services.drafting import report_answers_save, report_start
    from reports.services.sending import report_submit

    answers = {
        "subject": "self",
        "categories": list(HarmCategory.objects.current().filter(slug="threats")),
        "platforms": list(Platform.objects.current().filter(slug="x")),
        "started_on": dt.date(2026, 2, 3),
        "related_to_role": True,
        "description": "Someone keeps sending me threats about my work.",
        "perpetrator_known": "no",
        "offline_impacts": ["none"],
        "impact_level": 2,
        "wants_support": "no",
        "line_manager_consent": False,
        "line_manager_answered": True,
        "contact_preference": "email",
    }
    sent = []
    with emails_withheld():  # their acknowledgements are not what this bench measures
        for index in range(max(count, len(reporters))):
            reporter = reporters[index % len(reporters)]
            report = report_start(actor=reporter)
            report_answers_save(actor=reporter, report=report, answers=answers)
            sent.append(report_submit(actor=reporter, report=report))
    return sent


def _seed(scratch: Path) -> dict:
    """Accounts with sessions (staff with TOTP), taxonomy ids and a photo, for the locustfile."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.conf import settings
    from django.test import Client
    from PIL import Image

    from harmsportal.people.models import Force, Membership, Role, User
    from reports.models import HarmCategory, Platform

    force = Force.objects.get(slug=FORCE)
    accounts: dict[str, list[dict]] = {}
    users: dict[str, list] = {}
    for role, count in ACCOUNTS.items():
        accounts[role], users[role] = [], []
        for index in range(count):
            staff = role != "reporter"
            user = User.objects.create_user(
                f"bench-load-{role.replace('_', '-')}-{index}@example.police.uk",
                kind=User.Kind.STAFF if staff else User.Kind.OFFICER,
                full_name=f"Load {role.replace('_', ' ').title()} {index}",
            )
            Membership.objects.create(user=user, force=force, role=Role.REPORTER)
            if staff:
                Membership.objects.create(user=user, force=force, role=role)
                TOTP.activate(user, generate_totp_secret())
            client = Client()
            client.force_login(user)
            accounts[role].append({"cookie": client.cookies[settings.SESSION_COOKIE_NAME].value})
            users[role].append(user)

    sent = _queue_reports(users["reporter"], QUEUED_REPORTS)
    for account, report in zip(accounts["reporter"], sent, strict=False):
        account["report"] = str(report.public_id)
    photo = scratch / "photo.jpg"
    buffer = io.BytesIO()
    # A 640x480 photo with some grain: about the size of a cropped screenshot from a phone.
    Image.effect_noise((640, 480), 24).convert("RGB").save(buffer, "JPEG", quality=70)
    photo.write_bytes(buffer.getvalue())
    return {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "accounts": accounts,
        "force": FORCE,
        "photo": str(photo),
        "categories": [
            HarmCategory.objects.current().get(slug=slug).pk for slug in ("doxxing", "threats")
        ],
        "platforms": [Platform.objects.current().get(slug=slug).pk for slug in ("x", "facebook")],
        "description": (
            "Someone posted my home address under a photo of me in uniform and said people "
            "should visit. Others shared it and I have had messages since."
        ),
    }

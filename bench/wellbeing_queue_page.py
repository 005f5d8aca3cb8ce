"""wellbeing_queue_page: the champion's queue against a trivial view, through the test client.

A signed-in wellbeing champion (with TOTP, as in production) loads `/wellbeing/` with its
filters at their defaults, on a force holding BENCH_WELLBEING_REFERRALS referrals (default
50,000 on PostgreSQL, as issue 8's acceptance criterion asks; 2,000 on SQLite, the development
database, as `triage_queue_page` does: SQLite sorts NULLs first, so it cannot read the queue's
"nulls last" order off the index and sorts the force's open referrals on every page), and,
alternately, a view that returns "ok" behind the same middleware (sessions, authentication,
MFA and timeout checks, CSP). The ratio is the median queue page time over the median trivial
time (target <= 5), as `triage_queue_page` measures the triage queue.

The referrals are mixed as a live force's would be: every state (offers and declines the
champion never sees among them), the six support types, a fifth offered from a case and the
rest self-referrals, check-ins due and overdue, some assigned to this champion and some to
colleagues, some handed to a support service, some flagged for attention or in crisis, a few
the champion stepped aside from, and a few of the champion's own family's (which the
chokepoint leaves out). On PostgreSQL they are written with COPY; elsewhere with bulk_create,
in one transaction either way. The rows are seeded once per database: a second run against the
same database (or a second call in one run) finds them and goes straight to measuring.

A smaller run: BENCH_WELLBEING_REFERRALS=5000; when only the triage queue's scale is set
(BENCH_QUEUE_CASES, as CI might for a quick run) this takes the smaller of it and the default.
BENCH_QUEUE_REQUESTS sets the requests per side (default 60) for both queue benchmarks.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.urls import path

from bench import BenchResult, median

NAME = "wellbeing_queue_page"
TARGET = 5.0
DEFAULT_REFERRALS = {"postgresql": 50_000, "sqlite": 2_000}
REQUESTS = int(os.environ.get("BENCH_QUEUE_REQUESTS", "60"))
FORCE = "west-yorkshire"
CHAMPION_EMAIL = "bench-wellbeing-champion@example.police.uk"
PEOPLE = 500  # referrals are spread over this many people, as a force's would be
COLLEAGUES = 4  # other champions of the force, holding their share of the assigned referrals
FROM_CASE_EVERY = 5  # one referral in five was offered from a case; the rest are self-referrals
STEPPED_ASIDE_EVERY = 997  # the champion knows the person: a conflict, left out of the queue
FAMILY_PEOPLE = 2  # people linked to the champion as family: their referrals are left out


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def _urlpatterns() -> list:
    from harmsportal.urls import urlpatterns

    return [*urlpatterns, path("bench-trivial/", trivial)]


# The benchmark's URLconf: the portal's own, plus the trivial view.
urlpatterns = _urlpatterns()


def _referrals() -> int:
    from django.db import connection

    default = DEFAULT_REFERRALS.get(connection.vendor, 50_000)
    if "BENCH_WELLBEING_REFERRALS" in os.environ:
        return int(os.environ["BENCH_WELLBEING_REFERRALS"])
    if "BENCH_QUEUE_CASES" in os.environ:
        return min(default, int(os.environ["BENCH_QUEUE_CASES"]))
    return default


def _insert(model, objs: list) -> None:
    """Write `objs` (unsaved, primary keys unset) as fast as the database allows: COPY on
    PostgreSQL, in the caller's transaction; bulk_create elsewhere."""
    from django.db import connection

    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=2_000)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    # psycopg 3's COPY, on the raw cursor inside Django's wrapper.
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objs:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])


def _ids(model, **lookup) -> list[int]:
    return list(model.objects.filter(**lookup).order_by("pk").values_list("pk", flat=True))


def _people(force, now) -> list:
    """The people who referred themselves or were offered support: plain accounts, no password
    (nobody signs in as them here), each a reporter of the force."""
    from harmsportal.people.models import Membership, Role, User

    _insert(
        User,
        [
            User(
                email=f"bench-wellbeing-person-{n}@example.police.uk",
                full_name=f"Person {n}",
                kind=User.Kind.OFFICER if n % 3 else User.Kind.STAFF,
                password="!",  # unusable
                date_joined=now,
            )
            for n in range(PEOPLE)
        ],
    )
    people = list(User.objects.filter(email__startswith="bench-wellbeing-person-").order_by("pk"))
    _insert(Membership, [Membership(user=p, force=force, role=Role.REPORTER) for p in people])
    return people


def _cases(force, people: list, count: int, now) -> list[int]:
    """`count` sent reports, each with its case in the force's queue; the case ids, in order."""
    from reports.models import Report, ReportStatus
    from triage import sla
    from triage.models import Case

    _insert(
        Report,
        [
            Report(
                reporter=people[n % len(people)],
                force=force,
                status=ReportStatus.SUBMITTED,
                reference=f"OH-WBB-2026-{n:06d}",
                submitted_at=now - timedelta(hours=3 * n),
                related_to_role=True,
                taxonomy_version=1,
                description="Bench report.",
            )
            for n in range(count)
        ],
    )
    report_ids = _ids(Report, reference__startswith="OH-WBB-")
    _insert(
        Case,
        [
            Case(
                report_id=report_id,
                force=force,
                submitted_at=now - timedelta(hours=3 * n),
                risk="medium",
                status="assessed",
                priority=2,
                first_response_due=now,
                next_update_due=sla.next_update_due(now),
                outcome_due=sla.outcome_due(now),
            )
            for n, report_id in enumerate(report_ids)
        ],
    )
    return _ids(Case, report_id__in=report_ids)


def _referral(n: int, *, force, person, case_id, champions, services, now):
    """The n-th bench referral: its state, type, consent, champion and check-in by pattern."""
    from wellbeing.models import (
        CloseReason,
        ConsentScope,
        HarmTo,
        Referral,
        ReferralSource,
        ReferralState,
        SupportType,
    )

    # Of every 20: 1 offered, 1 declined (neither reaches a champion), 3 accepted and waiting,
    # 5 assigned, 6 in support, 4 closed.
    slot = n % 20
    state = (
        ReferralState.OFFERED
        if slot == 0
        else ReferralState.DECLINED
        if slot == 1
        else ReferralState.ACCEPTED
        if slot < 5
        else ReferralState.ASSIGNED
        if slot < 10
        else ReferralState.IN_SUPPORT
        if slot < 16
        else ReferralState.CLOSED
    )
    support_type = SupportType.values[(n // 3) % len(SupportType.values)]
    created = now - timedelta(hours=2 * n + 1)
    consented = state not in (ReferralState.OFFERED, ReferralState.DECLINED)
    with_champion = state in (
        ReferralState.ASSIGNED,
        ReferralState.IN_SUPPORT,
        ReferralState.CLOSED,
    )
    is_open = state in (ReferralState.ASSIGNED, ReferralState.IN_SUPPORT)
    service = None
    if state == ReferralState.IN_SUPPORT and n % 3 == 0:
        service = services[support_type]
    return Referral(
        reference=f"WB-BEN-2026-{n:06d}",
        force=force,
        person=person,
        source=ReferralSource.CASE if case_id else ReferralSource.SELF,
        case_id=case_id,
        state=state,
        harm_to=HarmTo.values[n % len(HarmTo.values)],
        support_type=support_type,
        summary="Online abuse after a court case; would like someone to talk to."
        if consented
        else "",
        consent_scope=ConsentScope.SUMMARY_AND_DESCRIPTION if n % 4 == 0 else ConsentScope.SUMMARY,
        consent_name=n % 2 == 0,
        consent_given_at=created + timedelta(hours=1) if consented else None,
        champion=champions[n % len(champions)] if with_champion else None,
        service=service,
        created_at=created,
        accepted_at=created + timedelta(hours=1) if consented else None,
        declined_at=created + timedelta(hours=1) if state == ReferralState.DECLINED else None,
        assigned_at=created + timedelta(days=1) if with_champion else None,
        first_support_at=created + timedelta(days=3)
        if state in (ReferralState.IN_SUPPORT, ReferralState.CLOSED)
        else None,
        closed_at=created + timedelta(days=30) if state == ReferralState.CLOSED else None,
        close_reason=CloseReason.SUPPORT_ENDED if state == ReferralState.CLOSED else "",
        # Due from ten days ago (overdue) to twenty days ahead.
        next_checkin_at=now + timedelta(days=(n % 31) - 10, hours=n % 24) if is_open else None,
        needs_attention=is_open and n % 37 == 0,
        in_crisis_since=now - timedelta(hours=n % 48) if is_open and n % 101 == 0 else None,
    )


def _seed(count: int):
    """The force's referrals, its champion (returned) and their colleagues: created once per
    database, found again after that."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.db import connection, transaction
    from django.utils import timezone

    from harmsportal.people.models import FamilyLink, Force, Membership, Role, User
    from wellbeing.models import Referral, ReferralConflict, SupportService, SupportType

    existing = User.objects.filter(email=CHAMPION_EMAIL).first()
    if existing is not None:
        seeded = Referral.objects.filter(reference__startswith="WB-BEN-").count()
        if seeded != count:
            raise RuntimeError(
                f"this database already holds {seeded} bench referrals, not {count}: "
                "use a fresh database or the same BENCH_WELLBEING_REFERRALS"
            )
        return existing, 0.0

    started = time.perf_counter()
    force = Force.objects.get(slug=FORCE)
    now = timezone.now()
    with transaction.atomic():
        champion = User.objects.create_user(
            CHAMPION_EMAIL, kind=User.Kind.STAFF, full_name="Queue Bench Champion"
        )
        Membership.objects.create(user=champion, force=force, role=Role.REPORTER)
        Membership.objects.create(user=champion, force=force, role=Role.CHAMPION)
        TOTP.activate(champion, generate_totp_secret())
        champions = [champion]
        for index in range(COLLEAGUES):
            colleague = User.objects.create_user(
                f"bench-wellbeing-colleague-{index}@example.police.uk",
                kind=User.Kind.STAFF,
                full_name=f"Colleague {index}",
            )
            Membership.objects.create(user=colleague, force=force, role=Role.CHAMPION)
            champions.append(colleague)
        services = {
            support_type: SupportService.objects.create(
                force=force,
                name=f"Bench {label}",
                support_type=support_type,
                capacity=500,
                target_wait_days=14,
            )
            for support_type, label in SupportType.choices
        }
        people = _people(force, now)
        # The champion's own family: linked, so their referrals never reach the champion.
        for person in people[:FAMILY_PEOPLE]:
            FamilyLink.objects.create(
                member=champion,
                family_user=person,
                email=person.email,
                relationship=FamilyLink.Relationship.OTHER,
                force=force,
                expires_at=now + timedelta(days=7),
                accepted_at=now,
            )
        case_ids = iter(_cases(force, people, -(-count // FROM_CASE_EVERY), now))
        _insert(
            Referral,
            [
                _referral(
                    n,
                    force=force,
                    person=people[n % len(people)],
                    case_id=next(case_ids) if n % FROM_CASE_EVERY == 0 else None,
                    champions=champions,
                    services=services,
                    now=now,
                )
                for n in range(count)
            ],
        )
        referral_ids = _ids(Referral, reference__startswith="WB-BEN-")
        ReferralConflict.objects.bulk_create(
            ReferralConflict(referral_id=pk, user=champion, reason="I know them.")
            for pk in referral_ids[::STEPPED_ASIDE_EVERY]
        )
    # A live database has planner statistics; a table filled a moment ago has none yet.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return champion, time.perf_counter() - started


def _time(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url, secure=True)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return elapsed


def run() -> BenchResult:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    count = _referrals()
    champion, seed_seconds = _seed(count)
    client = Client()
    client.force_login(champion)
    queue, baseline = "/wellbeing/", "/bench-trivial/"
    # Hashed static names need `collectstatic`, which a benchmark run does not do.
    plain_static = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(ROOT_URLCONF=__name__, STORAGES=plain_static):
        for _ in range(5):  # warm templates, the query compiler and the connection
            _time(client, queue)
            _time(client, baseline)
        # Queries one queue page makes (CaptureQueriesContext loses them: a request starts by
        # clearing the connection's query log).
        queries = []
        with connection.execute_wrapper(lambda execute, *args: queries.append(1) or execute(*args)):
            _time(client, queue)
        queue_times, trivial_times = [], []
        for index in range(REQUESTS):
            # Alternate which goes first, so drift favours neither.
            pair = (queue, baseline) if index % 2 else (baseline, queue)
            for url in pair:
                (queue_times if url == queue else trivial_times).append(_time(client, url))
    ratio = median(queue_times) / median(trivial_times)
    seeded = f"seeded in {seed_seconds:.0f}s" if seed_seconds else "seeded earlier"
    details = (
        f"queue page median {median(queue_times) * 1000:.1f} ms, "
        f"max {max(queue_times) * 1000:.1f} ms, {len(queries)} queries vs trivial view "
        f"{median(trivial_times) * 1000:.1f} ms; {count} referrals in one force ({seeded}), "
        f"{REQUESTS} requests each on {connection.vendor}"
    )
    return BenchResult(NAME, ratio, "<=", TARGET, details)

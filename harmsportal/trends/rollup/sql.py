"""The rollup's SQL, for PostgreSQL and SQLite: one INSERT … SELECT … GROUP BY per table.

A run reads each report it needs once, into a temporary table (`SOURCE`, `source_select`),
and explodes those reports by their multi-select values (categories, platforms, offline
impacts) into a second one (`ROWS`, `rows_table`) by joining each report to its values, each
report's first value (the lowest) found once per report with a window over its own values, so
the `first_*` flags cost one pass. Every statement then groups in the database from those
tables (and, for the dimension rollup, from the main rollup just written): no per-report
Python, no correlated subqueries.

A month filter is a list of first-of-month dates, written into the SQL as ISO date literals
(made here from `date` objects, never from input): the statements then carry no parameters,
so `record_key_sql`'s `%` needs no escaping and `rollup_select_sql` runs as it is.

Definitions (decision 0013):
- a report counts from the moment it was submitted (`submitted_at`), withdrawn or not;
- month: the first day of the month of `submitted_at` in Europe/London; a referral's month is
  that of its `created_at`;
- category: the case's categories when triage set any, else the reporter's ("" when none);
- platform: the reporter's platforms ("" when none);
- impact: the report's offline impacts other than "none" ("none" when it has none);
- recording decision: the case's, folded to crime / non_crime / none;
- reporter kind: the reporter's account kind (family accounts included);
- outcome: the report's outcome category, else "withdrawn" for a withdrawn report, else
  "pending".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from harmsportal.disclosure import record_key_sql
from harmsportal.people.models import DEMOGRAPHIC_FIELDS
from harmsportal.trends.figures import (
    CATEGORY,
    IMPACT,
    OUTCOME,
    PLATFORM,
    RECORDING_DECISION,
    REPORTER_KIND,
    TOTAL,
)
from harmsportal.trends.models import (
    NO_CATEGORY,
    NO_IMPACT,
    NO_OUTCOME,
    NO_PLATFORM,
    RecordingDecision,
)
from reports.models import ReportStatus
from reports.models.choices import OfflineImpact
from triage import sla
from triage.models import RecordingDecision as TriageDecision

POSTGRES = "postgresql"
SQLITE = "sqlite"
VENDORS = (POSTGRES, SQLITE)
LONDON = "Europe/London"

# The outcome of a withdrawn report that had no outcome when it was withdrawn.
WITHDRAWN = "withdrawn"
# The histograms' last buckets: everything at or past them.
RESPONSE_HOURS_CAP = 720
OUTCOME_DAYS_CAP = 365
_HOUR_MS = 3_600_000
_DAY_MS = 86_400_000

REPORT_ROLLUP_COLUMNS = (
    "month",
    "force_id",
    "category",
    "recording_decision",
    "reporter_kind",
    "platform",
    "impact",
    "outcome",
    "first_category",
    "first_platform",
    "first_impact",
    "reports",
    "key_sum",
)


def _check(vendor: str) -> str:
    if vendor not in VENDORS:
        raise ValueError(f"The rollup runs on PostgreSQL or SQLite, not {vendor!r}.")
    return vendor


def _text(value: str) -> str:
    """A constant of ours as an SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def month_sql(vendor: str, column: str) -> str:
    """The first day of the month of a timestamp `column`, in Europe/London, as a date."""
    if _check(vendor) == POSTGRES:
        return f"(date_trunc('month', {column} AT TIME ZONE {_text(LONDON)}))::date"
    # Django's own SQLite function for a datetime's local date (timestamps are stored in UTC).
    return f"(substr(django_datetime_cast_date({column}, {_text(LONDON)}, 'UTC'), 1, 8) || '01')"


def milliseconds_between_sql(vendor: str, later: str, earlier: str) -> str:
    """Whole milliseconds from `earlier` to `later`, rounded half away from zero (NULL when
    either is NULL)."""
    if _check(vendor) == POSTGRES:
        # The whole microseconds as a bigint (exact: a double holds a span of a century to far
        # better than a microsecond), rounded to milliseconds in integer arithmetic: what
        # rounding EXTRACT(epoch …) * 1000 gives, without its numeric arithmetic, which cost a
        # third of the source table's time at 500,000 reports (decision 0013).
        micros = f"round(date_part('epoch', {later} - {earlier}) * 1000000)::bigint"
        return (
            f"(CASE WHEN {later} >= {earlier} THEN {micros} + 500 ELSE {micros} - 500 END) / 1000"
        )
    return f"CAST(round((julianday({later}) - julianday({earlier})) * 86400000) AS INTEGER)"


def _least(vendor: str, *values: str) -> str:
    return ("LEAST" if vendor == POSTGRES else "MIN") + "(" + ", ".join(values) + ")"


def _greatest(vendor: str, *values: str) -> str:
    return ("GREATEST" if vendor == POSTGRES else "MAX") + "(" + ", ".join(values) + ")"


def bucket_sql(vendor: str, later: str, earlier: str, *, unit_ms: int, cap: int) -> str:
    """Whole units from `earlier` to `later`, 0 to `cap` (the last bucket holds the rest)."""
    span = milliseconds_between_sql(vendor, later, earlier)
    return _least(vendor, _greatest(vendor, f"({span}) / {unit_ms}", "0"), str(cap))


def _empty_json(vendor: str) -> str:
    return "'[]'::jsonb" if vendor == POSTGRES else "'[]'"


def _months_in(column: str, months: Iterable[date] | None) -> str:
    """` AND column IN (...)` for a month filter; "" for every month."""
    if months is None:
        return ""
    listed = ", ".join(_text(month.isoformat()) for month in months)
    return f" AND {column} IN ({listed})" if listed else " AND 1 = 0"


def delete_months(vendor: str, table: str, months: Iterable[date] | None = None) -> str:
    """Delete a monthly rollup table's rows for `months` (None: every row).

    Every row, on PostgreSQL, is a TRUNCATE: deleting a whole table row by row costs more than
    rebuilding it and leaves it bloated until vacuum. TRUNCATE holds the table until the
    rebuild commits, so a dashboard reading it then waits those seconds (decision 0013)."""
    if months is None and _check(vendor) == POSTGRES:
        return f"TRUNCATE {table}"
    return f"DELETE FROM {table} WHERE 1 = 1{_months_in('month', months)}"


def _impacts_sql(vendor: str, source: str) -> str:
    """(report id, impact) for the source's offline impacts other than "none"."""
    none = _text(OfflineImpact.NONE)
    if vendor == POSTGRES:
        return f"""
        SELECT DISTINCT s.id AS report_id, e.value AS value
        FROM {source} s
        CROSS JOIN LATERAL jsonb_array_elements_text(
            CASE WHEN jsonb_typeof(s.offline_impacts) = 'array'
                 THEN s.offline_impacts ELSE '[]'::jsonb END
        ) AS e(value)
        WHERE e.value <> {none}"""
    return f"""
        SELECT DISTINCT s.id AS report_id, e.value AS value
        FROM {source} s,
             json_each(CASE WHEN json_type(s.offline_impacts) = 'array'
                            THEN s.offline_impacts ELSE '[]' END) AS e
        WHERE e.value <> {none}"""


def _decision_sql(column: str) -> str:
    return (
        f"CASE {column}"
        f" WHEN {_text(TriageDecision.CRIME)} THEN {_text(RecordingDecision.CRIME)}"
        f" WHEN {_text(TriageDecision.NON_CRIME_INCIDENT)} THEN {_text(RecordingDecision.NON_CRIME)}"
        f" ELSE {_text(RecordingDecision.NONE)} END"
    )


def _outcome_sql(alias: str) -> str:
    return (
        f"CASE WHEN {alias}.outcome_category <> '' THEN {alias}.outcome_category"
        f" WHEN {alias}.status = {_text(ReportStatus.WITHDRAWN)} THEN {_text(WITHDRAWN)}"
        f" ELSE {_text(NO_OUTCOME)} END"
    )


def source_select(vendor: str, months: Iterable[date] | None = None, *, full: bool = True) -> str:
    """One row per submitted report with everything the rollups read about it: its month,
    force, record key, and the single-valued dimensions; with `full`, also its reporter and
    its service times (what the demographic and performance rollups need), and its record key
    as an integer (0 to 255), which PostgreSQL sums in a machine integer where it sums a
    bigint as a numeric. Read once per run into a temporary table (`SOURCE`); without `full`
    it is the bench's baseline's source, as first written."""
    vendor = _check(vendor)
    month = month_sql(vendor, "r.submitted_at")
    key = record_key_sql("r.id")
    columns = [
        "r.id",
        f"{month} AS month",
        "r.force_id",
        f"CAST({key} AS INTEGER) AS record_key" if full else f"{key} AS record_key",
        "r.offline_impacts",
        f"{_decision_sql('c.recording_decision')} AS recording_decision",
        "u.kind AS reporter_kind",
        f"{_outcome_sql('r')} AS outcome",
    ]
    if full:
        to_outcome = milliseconds_between_sql(vendor, "c.outcome_given_at", "r.submitted_at")
        target_ms = int(sla.OUTCOME_TARGET.total_seconds() * 1000)
        hours = bucket_sql(
            vendor,
            "c.first_responded_at",
            "r.submitted_at",
            unit_ms=_HOUR_MS,
            cap=RESPONSE_HOURS_CAP,
        )
        days = bucket_sql(
            vendor, "c.outcome_given_at", "r.submitted_at", unit_ms=_DAY_MS, cap=OUTCOME_DAYS_CAP
        )
        columns.append("r.reporter_id")
        columns += [
            "CASE WHEN c.first_responded_at IS NOT NULL THEN 1 ELSE 0 END AS responded",
            "CASE WHEN c.first_responded_at <= c.first_response_due THEN 1 ELSE 0 END"
            " AS responded_in_target",
            "CASE WHEN c.outcome_given_at IS NOT NULL THEN 1 ELSE 0 END AS outcomes",
            f"CASE WHEN {to_outcome} <= {target_ms} THEN 1 ELSE 0 END AS outcomes_in_28_days",
            f"CASE WHEN c.first_responded_at IS NOT NULL THEN {hours} END AS response_hours",
            f"CASE WHEN c.outcome_given_at IS NOT NULL THEN {days} END AS outcome_days",
        ]
    listed = ",\n               ".join(columns)
    return f"""
        SELECT {listed}
        FROM reports_report r
        JOIN people_user u ON u.id = r.reporter_id
        LEFT JOIN triage_case c ON c.report_id = r.id
        WHERE r.submitted_at IS NOT NULL{_months_in(month, months)}"""


SOURCE = "trends_rollup_source"


def source_table(vendor: str, months: Iterable[date] | None = None) -> str:
    return f"CREATE TEMPORARY TABLE {SOURCE} AS {source_select(vendor, months)}"


def _exploded(vendor: str, source: str, measures: str, tail: str = "") -> str:
    """The main rollup's CTEs (after the source's) and its SELECT over `source`: a row for each
    combination of a report's categories, platforms and impacts, with the rollup's key columns
    then `measures` (and `tail`, a GROUP BY)."""
    return f"""
    case_categories AS (
        SELECT c.report_id, h.slug AS value
        FROM triage_case_categories cc
        JOIN triage_case c ON c.id = cc.case_id
        JOIN reports_harmcategory h ON h.id = cc.harmcategory_id
    ),
    triaged AS (SELECT DISTINCT report_id FROM case_categories),
    categories AS (
        SELECT report_id, value FROM case_categories
        UNION ALL
        SELECT rc.report_id, h.slug
        FROM reports_report_categories rc
        JOIN reports_harmcategory h ON h.id = rc.harmcategory_id
        LEFT JOIN triaged t ON t.report_id = rc.report_id
        WHERE t.report_id IS NULL
    ),
    category_rows AS (
        SELECT report_id, value, value = MIN(value) OVER (PARTITION BY report_id) AS is_first
        FROM categories
    ),
    platform_rows AS (
        SELECT rp.report_id, p.slug AS value,
               p.slug = MIN(p.slug) OVER (PARTITION BY rp.report_id) AS is_first
        FROM reports_report_platforms rp
        JOIN reports_platform p ON p.id = rp.platform_id
    ),
    impacts AS ({_impacts_sql(vendor, source)}
    ),
    impact_rows AS (
        SELECT report_id, value, value = MIN(value) OVER (PARTITION BY report_id) AS is_first
        FROM impacts
    )
    SELECT s.month,
           s.force_id,
           COALESCE(cr.value, {_text(NO_CATEGORY)}) AS category,
           s.recording_decision,
           s.reporter_kind,
           COALESCE(pr.value, {_text(NO_PLATFORM)}) AS platform,
           COALESCE(ir.value, {_text(NO_IMPACT)}) AS impact,
           s.outcome,
           COALESCE(cr.is_first, TRUE) AS first_category,
           COALESCE(pr.is_first, TRUE) AS first_platform,
           COALESCE(ir.is_first, TRUE) AS first_impact,
           {measures}
    FROM {source} s
    LEFT JOIN category_rows cr ON cr.report_id = s.id
    LEFT JOIN platform_rows pr ON pr.report_id = s.id
    LEFT JOIN impact_rows ir ON ir.report_id = s.id{tail}"""


# The rollup's key: every column of ReportRollup but the two sums.
_KEY = REPORT_ROLLUP_COLUMNS[:-2]


def report_rollup_select(vendor: str, months: Iterable[date] | None = None) -> str:
    """The main rollup's SELECT … GROUP BY straight from the sources, for every month or only
    `months`, in one statement (the source is a CTE, computed where it is used, so nothing is
    written)."""
    source = source_select(vendor, months, full=False)
    body = _exploded(
        _check(vendor),
        "src",
        "COUNT(*) AS reports,\n           SUM(s.record_key) AS key_sum",
        "\n    GROUP BY " + ", ".join(str(index) for index in range(1, len(_KEY) + 1)),
    )
    return f"WITH src AS NOT MATERIALIZED ({source}\n    ),{body}"


def rollup_select_sql(vendor: str) -> str:
    """The bare SELECT … GROUP BY of the main rollup over every month (the bench's baseline:
    what a full rebuild of `ReportRollup` must compute, without writing anything)."""
    return report_rollup_select(vendor)


ROWS = "trends_rollup_rows"


def rows_table(vendor: str) -> str:
    """The run's exploded rows (`ROWS`): each report of the source table once for each
    combination of its categories, platforms and impacts, with its record key. Written, not
    grouped at once: with the table's real size known (ANALYZE), PostgreSQL groups it in a
    hash table, where in one statement its estimate of the joins (millions of rows: it
    expects 100 impacts a report) makes it sort them, on disk, first."""
    return (
        f"CREATE TEMPORARY TABLE {ROWS} AS WITH{_exploded(_check(vendor), SOURCE, 's.record_key')}"
    )


def report_rollup_insert(vendor: str) -> str:
    """Insert the main rollup from the run's exploded rows (every month in them)."""
    _check(vendor)
    key = ", ".join(_KEY)
    return f"""
    INSERT INTO trends_reportrollup ({", ".join(REPORT_ROLLUP_COLUMNS)})
    SELECT {key}, COUNT(*), SUM(record_key)
    FROM {ROWS}
    GROUP BY {key}"""


def dimension_rollup_insert(vendor: str, months: Iterable[date] | None = None) -> str:
    """DimensionRollup from the ReportRollup rows just written: for each dimension, the rows
    that count each report once in every other multi-select dimension; "total" counts each
    report once."""
    _check(vendor)
    where = _months_in("month", months)
    parts = [
        f"""
        SELECT month, force_id, {_text(dimension)} AS dimension, {dimension} AS value,
               SUM(reports) AS reports, SUM(key_sum) AS key_sum
        FROM trends_reportrollup
        WHERE {flags}{where}
        GROUP BY month, force_id, {dimension}"""
        for dimension, flags in (
            (CATEGORY, "first_platform AND first_impact"),
            (PLATFORM, "first_category AND first_impact"),
            (IMPACT, "first_category AND first_platform"),
        )
    ]
    # The single-select dimensions and the total read the rows that count each report once,
    # grouped once by everything they need.
    once = f"""
        SELECT month, force_id, recording_decision, reporter_kind, outcome,
               SUM(reports) AS reports, SUM(key_sum) AS key_sum
        FROM trends_reportrollup
        WHERE first_category AND first_platform AND first_impact{where}
        GROUP BY month, force_id, recording_decision, reporter_kind, outcome"""
    parts += [
        f"""
        SELECT month, force_id, {_text(dimension)}, {dimension}, SUM(reports), SUM(key_sum)
        FROM once
        GROUP BY month, force_id, {dimension}"""
        for dimension in (RECORDING_DECISION, REPORTER_KIND, OUTCOME)
    ]
    parts.append(
        f"""
        SELECT month, force_id, {_text(TOTAL)}, '', SUM(reports), SUM(key_sum)
        FROM once
        GROUP BY month, force_id"""
    )
    return (
        "INSERT INTO trends_dimensionrollup (month, force_id, dimension, value, reports, key_sum)\n"
        f"WITH once AS ({once}\n)" + "\nUNION ALL".join(parts)
    )


def demographic_rollup_insert(vendor: str) -> str:
    """DemographicRollup from the run's source table: reports by each voluntary answer of their
    reporter ("" unanswered), and the different people among them.

    The answers are the reporter's own (people_user), the same on all of one person's reports,
    so the reports are first grouped by person (month, force, reporter: integers only),
    counting their reports, and only those rows are joined to their reporter's answers; each
    of them is one person, so each question is then summed from them with COUNT(*) as its
    different reporters: hash aggregates only, with no COUNT(DISTINCT …) and its sort."""
    _check(vendor)
    parts = "\n    UNION ALL".join(
        f"""
    SELECT month, force_id, {_text(field)}, {field}, SUM(reports), SUM(key_sum), COUNT(*)
    FROM people
    GROUP BY month, force_id, {field}"""
        for field in DEMOGRAPHIC_FIELDS
    )
    answers = ", ".join(f"COALESCE(u.{field}, '') AS {field}" for field in DEMOGRAPHIC_FIELDS)
    return f"""
    INSERT INTO trends_demographicrollup (
        month, force_id, dimension, value, reports, key_sum, reporters
    )
    WITH people AS (
        SELECT p.month, p.force_id, {answers}, p.reports, p.key_sum
        FROM (
            SELECT month, force_id, reporter_id, COUNT(*) AS reports, SUM(record_key) AS key_sum
            FROM {SOURCE}
            GROUP BY month, force_id, reporter_id
        ) p
        JOIN people_user u ON u.id = p.reporter_id
    ){parts}"""


def performance_rollup_insert(vendor: str, months: Iterable[date] | None = None) -> str:
    """PerformanceRollup's counts per (month, force); the histograms are filled after, from
    `histogram_select`. Reports (the run's source table) by the month they were received,
    referrals by the month they were made, each by its own force."""
    vendor = _check(vendor)
    referral_month = month_sql(vendor, "f.created_at")
    key = record_key_sql("f.id")
    empty = _empty_json(vendor)
    return f"""
    INSERT INTO trends_performancerollup (
        month, force_id, received, received_key_sum, responded, responded_in_target,
        response_hours, outcomes, outcomes_in_28_days, outcome_days,
        referrals_offered, referrals_offered_key_sum,
        referrals_accepted, referrals_accepted_key_sum
    )
    SELECT month, force_id, SUM(received), SUM(received_key_sum), SUM(responded),
           SUM(responded_in_target), {empty}, SUM(outcomes), SUM(outcomes_in_28_days), {empty},
           SUM(offered), SUM(offered_key_sum), SUM(accepted), SUM(accepted_key_sum)
    FROM (
        SELECT month, force_id, 1 AS received, record_key AS received_key_sum, responded,
               responded_in_target, outcomes, outcomes_in_28_days,
               0 AS offered, 0 AS offered_key_sum, 0 AS accepted, 0 AS accepted_key_sum
        FROM {SOURCE}
        UNION ALL
        SELECT {referral_month}, f.force_id, 0, 0, 0, 0, 0, 0, 1, {key},
               CASE WHEN f.accepted_at IS NOT NULL THEN 1 ELSE 0 END,
               CASE WHEN f.accepted_at IS NOT NULL THEN {key} ELSE 0 END
        FROM wellbeing_referral f
        WHERE 1 = 1{_months_in(referral_month, months)}
    ) x
    GROUP BY month, force_id"""


def histogram_select(vendor: str) -> str:
    """(histogram, month, force, bucket, count) from the run's source table: whole hours from
    receipt to the first response (capped at RESPONSE_HOURS_CAP) and whole days to the outcome
    (capped at OUTCOME_DAYS_CAP), for folding into the JSON lists."""
    _check(vendor)
    return f"""
    SELECT 'response_hours', month, force_id, response_hours, COUNT(*)
    FROM {SOURCE} WHERE response_hours IS NOT NULL
    GROUP BY month, force_id, response_hours
    UNION ALL
    SELECT 'outcome_days', month, force_id, outcome_days, COUNT(*)
    FROM {SOURCE} WHERE outcome_days IS NOT NULL
    GROUP BY month, force_id, outcome_days"""


def fingerprint_select(vendor: str, *, from_source: bool = False) -> str:
    """(month, reports, sum of their ids, referrals, sum of their ids) for every month with a
    submitted report (by receipt) or a referral (by when it was made). A report or referral
    erased, or a report moved out of its month, leaves no timestamp behind: only its month's
    fingerprint shows it (a referral's month can differ from its report's).

    `from_source`: the reports as a full run's source table holds them (every submitted
    report, with its month), the reports it rolled up, without reading them again."""
    vendor = _check(vendor)
    referral_month = month_sql(vendor, "f.created_at")
    if from_source:
        reports = f"""
        SELECT month, COUNT(*) AS reports, SUM(id) AS report_ids,
               0 AS referrals, 0 AS referral_ids
        FROM {SOURCE}
        GROUP BY 1"""
    else:
        reports = f"""
        SELECT {month_sql(vendor, "r.submitted_at")} AS month, COUNT(*) AS reports,
               SUM(r.id) AS report_ids, 0 AS referrals, 0 AS referral_ids
        FROM reports_report r
        WHERE r.submitted_at IS NOT NULL
        GROUP BY 1"""
    return f"""
    SELECT month, SUM(reports), SUM(report_ids), SUM(referrals), SUM(referral_ids)
    FROM ({reports}
        UNION ALL
        SELECT {referral_month}, 0, 0, COUNT(*), SUM(f.id)
        FROM wellbeing_referral f
        GROUP BY 1
    ) x
    GROUP BY month"""


def touched_months_select(vendor: str) -> str:
    """The months with a change at or after a moment (every parameter is that moment): a
    report or its case updated, or a referral made, accepted, declined or closed."""
    vendor = _check(vendor)
    report_month = month_sql(vendor, "r.submitted_at")
    referral_month = month_sql(vendor, "f.created_at")
    return f"""
    SELECT {report_month} FROM reports_report r
    WHERE r.submitted_at IS NOT NULL AND r.updated_at >= %s
    UNION
    SELECT {report_month} FROM reports_report r JOIN triage_case c ON c.report_id = r.id
    WHERE r.submitted_at IS NOT NULL AND c.updated_at >= %s
    UNION
    SELECT {referral_month} FROM wellbeing_referral f
    WHERE f.created_at >= %s OR f.accepted_at >= %s OR f.declined_at >= %s
       OR f.closed_at >= %s"""

"""The national pages' tables: every force side by side, and the non-crime view. Built like a
force's tables (dashboard_tables), from figures `trends.figures` has already published."""

from __future__ import annotations

from harmsportal.people.models import Force
from harmsportal.trends.figures import (
    CATEGORY,
    FORCE,
    PLATFORM,
    RECORDING_DECISION,
    Breakdown,
    NonCrimeFigures,
    Scope,
    ScopeFigures,
    figures_by,
    scope_figures,
    value_labels,
)
from harmsportal.trends.models import RecordingDecision
from harmsportal.trends.views.dashboard_tables import (
    ALL_REPORTS,
    BAR,
    DOWN,
    TOTAL_ROW,
    Chart,
    Table,
    TableRow,
    figure_of,
)


def force_comparison(scope: Scope, forces: list[Force], *, known: dict | None = None) -> Table:
    """Every force side by side: reports, crime, non-crime, neither, and the previous period.
    `known`: what `dashboard()` returned for the same scope, whose figures it reuses."""
    period = scope.period
    now = figures_by(scope, by=FORCE)
    before = figures_by(Scope(scope.forces, period.previous(), scope.category), by=FORCE)
    decisions = list(value_labels(RECORDING_DECISION))
    rows = []
    for force in forces:
        figures = now.get(force.pk)
        split = figures.breakdowns.get(RECORDING_DECISION) if figures else None
        rows.append(
            TableRow(
                force.slug,
                force.name,
                [
                    figures.total if figures else 0,
                    *(figure_of(split, decision) for decision in decisions),
                    before[force.pk].total if force.pk in before else 0,
                ],
            )
        )
    known = known if known and known.get("scope") == scope else {}
    national = known.get("whole") or scope_figures(scope)
    split = national.breakdowns[RECORDING_DECISION]
    previous = known.get("previous_figures") or scope_figures(
        Scope(scope.forces, period.previous(), scope.category)
    )
    rows.append(
        TableRow(
            TOTAL_ROW,
            "All forces",
            [national.total, *(figure_of(split, d) for d in decisions), previous.total],
            total=True,
        )
    )
    return Table(
        id="forces",
        caption=f"Reports by force, {period.label}",
        note=(
            "Each figure counts reports. Crime, non-crime incident and not recorded as either "
            "add up to the reports."
        ),
        row_heading="Force",
        columns=[
            "Reports",
            *(dict(RecordingDecision.choices)[d] for d in decisions),
            f"Reports, {period.previous().label}",
        ],
        rows=rows,
        charts=[
            Chart(
                BAR,
                f"Bar chart of reports by force, {period.label}, most first",
                DOWN,
                0,
                skip=(TOTAL_ROW,),
                ranked=True,
            )
        ],
    )


def non_crime_tables(figures: NonCrimeFigures, whole: ScopeFigures) -> dict:
    """The national non-crime view: by category and by platform beside all reports of each,
    and the category-by-platform table without its empty rows and columns."""
    label = figures.scope.period.label

    def beside_all(breakdown: Breakdown, dimension: str, id: str, caption: str) -> Table:
        every = whole.breakdowns.get(dimension)
        rows = [
            TableRow(
                row.value,
                row.label,
                [row.figure, figure_of(every, row.value) if every else whole.total],
            )
            for row in breakdown.rows
        ]
        rows.append(TableRow(TOTAL_ROW, ALL_REPORTS, [figures.total, whole.total], total=True))
        return Table(
            id=id,
            caption=caption,
            note=breakdown.note,
            row_heading=breakdown.label,
            columns=["Non-crime incidents", "All reports"],
            rows=rows,
            charts=[
                Chart(
                    BAR,
                    f"Bar chart of non-crime incidents by {breakdown.label.lower()}, {label}",
                    DOWN,
                    0,
                    skip=(TOTAL_ROW,),
                )
            ],
        )

    cross = figures.cross
    columns = [
        c for c in cross.columns if any(cross.cells.get((r.value, c.value)) for r in cross.rows)
    ]
    rows = [
        TableRow(row.value, row.label, [cross.cells.get((row.value, c.value), 0) for c in columns])
        for row in cross.rows
        if any(cross.cells.get((row.value, c.value)) for c in columns)
    ]
    return {
        "categories": beside_all(
            figures.categories,
            CATEGORY,
            "non-crime-categories",
            f"Non-crime incidents by harm category, {label}",
        ),
        "platforms": beside_all(
            figures.platforms,
            PLATFORM,
            "non-crime-platforms",
            f"Non-crime incidents by platform, {label}",
        ),
        "cross": Table(
            id="non-crime-cross",
            caption=f"Non-crime incidents by harm category and platform, {label}",
            note=(
                "A report is counted once in each pair of harm category and platform it carries. "
                "Categories and platforms with no non-crime incidents are left out."
            ),
            row_heading="Harm category",
            columns=[c.label for c in columns],
            rows=rows,
        ),
    }

"""Loading the UK police forces from the project's copy of the national list."""

from __future__ import annotations

import csv
from pathlib import Path

FORCES_CSV = Path(__file__).resolve().parent / "data" / "uk_police_forces.csv"


def read_forces(path: Path = FORCES_CSV) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def upsert_forces(force_model, rows: list[dict[str, str]]) -> int:
    """Create or update forces by slug. Safe to run again; returns how many rows it saw."""
    for row in rows:
        force_model.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "nation": row["nation"],
                "kind": row["kind"],
                "code": row["code"],
            },
        )
    return len(rows)

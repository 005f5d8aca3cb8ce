"""Run the benchmark workloads: `python -m bench` for all, `python -m bench <name>` for one."""

from __future__ import annotations

import importlib
import os
import pkgutil
import secrets
import sys
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import bench


def discover() -> list[str]:
    """Workload names: the package's public modules, found without importing them."""
    return sorted(
        module.name
        for module in pkgutil.iter_modules(bench.__path__)
        if not module.name.startswith("_")
    )


@contextmanager
def throwaway_database() -> Iterator[str]:
    """Set Django up on a new, migrated database and remove it afterwards.

    SQLite (the default) gets a file in a temporary directory, so the numbers include real disk
    writes as in development; PostgreSQL gets a `bench_…` database beside the configured one,
    created and dropped with the same machinery as the test database.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harmsportal.settings")
    # Settings refuse to start without a key unless DEBUG; nothing a benchmark signs outlives it.
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    # Likewise the keys that encrypt MFA secrets and evidence: throwaway ones for the run.
    from cryptography.fernet import Fernet

    for name in ("HARMSPORTAL_MFA_KEYS", "HARMSPORTAL_EVIDENCE_KEYS"):
        os.environ.setdefault(name, Fernet.generate_key().decode())
    import django

    django.setup()
    from django.db import connection

    with tempfile.TemporaryDirectory(prefix="harmsportal-bench-") as scratch:
        if connection.vendor == "sqlite":
            name = str(Path(scratch) / "bench.sqlite3")
        else:
            name = f"bench_{os.getpid()}_{secrets.token_hex(4)}"
        connection.settings_dict.setdefault("TEST", {})["NAME"] = name
        original = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            yield f"{connection.vendor} {Path(name).name}"
        finally:
            connection.creation.destroy_test_db(original, verbosity=0)


def main(argv: list[str]) -> int:
    available = discover()
    unknown = [name for name in argv if name not in available]
    if unknown:
        print(f"unknown workload(s): {', '.join(unknown)}", file=sys.stderr)
        print(f"available: {', '.join(available)}", file=sys.stderr)
        return 2
    crashed = False
    with throwaway_database() as where:
        print(f"bench: database {where}", file=sys.stderr)
        for name in argv or available:
            try:
                result = importlib.import_module(f"bench.{name}").run()
            except Exception as exc:  # report the crash and go on to the next workload
                traceback.print_exc()
                print(f"BENCH {name} ERROR ({type(exc).__name__}: {exc})", flush=True)
                crashed = True
                continue
            print(result.line(), flush=True)
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Audit requirements.lock for known vulnerabilities: `make audit` (CI runs it after lint).

pip-audit looks up every pinned version in a vulnerability service (PyPI's by default, or
OSV). The result is judged here rather than by pip-audit's exit status, because pip-audit
exits 0 when it could not look a package up at all ("Dependency not found on PyPI and could
not be audited"): a registry mirror without the per-version vulnerability data, or no route to
the service, would otherwise pass as "no known vulnerabilities".

So, in order:
1. The allow-list (pip-audit-allowlist.toml) must be valid: every entry names the
   vulnerability, the package, a reason and an expiry date, and none has expired. An invalid
   or expired entry fails the audit whether or not the service can be reached.
2. A probe: Django 3.2.0, which has many published vulnerabilities, must come back with some.
   If it does not, the service gave us nothing to go on: the audit is UNAVAILABLE. That fails
   (exit 3) unless AUDIT_UNAVAILABLE=warn, which prints the notice and passes; a CI without a
   route to the service sets it, and says so where it does.
3. The lock file: a vulnerability that the allow-list does not name (by its id or one of its
   aliases) fails (exit 1), and so does a package the service could not look up.

Exit status: 0 passed (or unavailable with AUDIT_UNAVAILABLE=warn), 1 vulnerable or not
fully audited, 2 allow-list invalid or expired, 3 service unavailable.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
ALLOWLIST = ROOT / "pip-audit-allowlist.toml"
PROBE = "django==3.2"  # dozens of published advisories: a service that knows any knows these
REQUIRED = ("id", "package", "reason", "expires")

PASSED, VULNERABLE, ALLOWLIST_INVALID, UNAVAILABLE = 0, 1, 2, 3


class AllowlistError(ValueError):
    """The allow-list is malformed or holds an expired entry; `problems` says which."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Allowed:
    id: str
    package: str
    reason: str
    expires: dt.date


@dataclass
class Verdict:
    status: int
    lines: list[str] = field(default_factory=list)


def load_allowlist(text: str, *, today: dt.date) -> dict[str, Allowed]:
    """Parse the allow-list; raise AllowlistError for a bad or expired entry.

    An entry is valid up to and including its expiry date; from the day after it fails, so
    somebody has to look again: upgrade, or renew the entry with a fresh reason.
    """
    try:
        entries = tomllib.loads(text).get("ignore", [])
    except tomllib.TOMLDecodeError as exc:
        raise AllowlistError([f"not valid TOML: {exc}"]) from exc
    problems: list[str] = []
    allowed: dict[str, Allowed] = {}
    for number, entry in enumerate(entries, start=1):
        label = f"entry {number} ({entry.get('id', 'no id')})"
        missing = [key for key in REQUIRED if not entry.get(key)]
        if missing:
            problems.append(f"{label}: missing {', '.join(missing)}")
            continue
        expires = entry["expires"]
        if not isinstance(expires, dt.date) or isinstance(expires, dt.datetime):
            problems.append(f"{label}: expires must be a date (YYYY-MM-DD), not {expires!r}")
            continue
        if expires < today:
            problems.append(f"{label}: expired on {expires.isoformat()}")
            continue
        if entry["id"] in allowed:
            problems.append(f"{label}: listed twice")
            continue
        allowed[entry["id"]] = Allowed(
            id=entry["id"],
            package=_normalise(entry["package"]),
            reason=entry["reason"],
            expires=expires,
        )
    if problems:
        raise AllowlistError(problems)
    return allowed


def service_answers(probe_report: dict) -> bool:
    """True if the probe (a version with known vulnerabilities) came back with some."""
    return any(dependency.get("vulns") for dependency in probe_report.get("dependencies", []))


def judge(report: dict, allowed: dict[str, Allowed]) -> Verdict:
    """Fail on any vulnerability the allow-list does not name, and on any package not audited."""
    verdict = Verdict(PASSED)
    used: set[str] = set()
    for dependency in report.get("dependencies", []):
        name = f"{dependency['name']} {dependency.get('version', '')}".strip()
        if "skip_reason" in dependency:
            verdict.status = VULNERABLE
            verdict.lines.append(f"NOT AUDITED {name}: {dependency['skip_reason']}")
            continue
        for vuln in dependency.get("vulns", []):
            ids = [vuln["id"], *vuln.get("aliases", [])]
            match = next(
                (
                    allowed[i]
                    for i in ids
                    if i in allowed and allowed[i].package == _normalise(dependency["name"])
                ),
                None,
            )
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
            if match is None:
                verdict.status = VULNERABLE
                verdict.lines.append(f"VULNERABLE {name}: {' / '.join(ids)} (fixed in {fixed})")
            else:
                used.add(match.id)
                verdict.lines.append(
                    f"allowed {name}: {match.id} until {match.expires.isoformat()} ({match.reason})"
                )
    for unused in sorted(set(allowed) - used):
        verdict.lines.append(f"note: allow-list entry {unused} matched nothing; remove it")
    return verdict


def _normalise(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def pip_audit(requirements: Path, *, service: str) -> dict:
    """Run pip-audit on pinned requirements (no resolution) and return its JSON report."""
    command = [
        *(sys.executable, "-m", "pip_audit", "--requirement", str(requirements)),
        *("--no-deps", "--disable-pip", "--format", "json", "--progress-spinner", "off"),
        *("--vulnerability-service", service, "--aliases", "on", "--desc", "off"),
    ]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    try:
        return json.loads(finished.stdout)
    except json.JSONDecodeError:
        # No report at all: the service could not be reached (pip-audit printed why).
        reason = (finished.stderr.strip().splitlines() or ["no output"])[-1]
        return {"dependencies": [], "error": reason[:300]}


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main() -> int:
    today = dt.datetime.now(dt.UTC).date()
    try:
        allowed = load_allowlist(ALLOWLIST.read_text(), today=today)
    except AllowlistError as exc:
        for problem in exc.problems:
            say(f"audit: {ALLOWLIST.name}: {problem}")
        return ALLOWLIST_INVALID
    service = os.environ.get("AUDIT_SERVICE", "pypi")
    say(f"audit: {len(allowed)} allow-listed; vulnerability service: {service}")

    with tempfile.TemporaryDirectory(prefix="audit-probe-") as folder:
        probe = Path(folder) / "probe.txt"
        probe.write_text(PROBE + "\n")
        probe_report = pip_audit(probe, service=service)
    if not service_answers(probe_report):
        why = probe_report.get("error") or next(
            (d.get("skip_reason") for d in probe_report.get("dependencies", [])), "no data"
        )
        say(
            f"audit: UNAVAILABLE: the {service} vulnerability service returned nothing for "
            f"{PROBE}, which has published vulnerabilities ({why}). requirements.lock was NOT "
            "audited."
        )
        if os.environ.get("AUDIT_UNAVAILABLE") == "warn":
            say("audit: AUDIT_UNAVAILABLE=warn: passing without an audit")
            return PASSED
        return UNAVAILABLE

    verdict = judge(pip_audit(LOCK, service=service), allowed)
    for line in verdict.lines:
        say(f"audit: {line}")
    say("audit: passed" if verdict.status == PASSED else "audit: FAILED")
    return verdict.status


if __name__ == "__main__":
    sys.exit(main())

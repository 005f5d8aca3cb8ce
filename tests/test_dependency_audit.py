"""The dependency audit's own rules (bin/audit_dependencies.py): allow-list and verdict.

pip-audit itself needs its vulnerability service; these tests feed its JSON report shape in,
so the rules are checked without the network.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location(
    "audit_dependencies", ROOT / "bin" / "audit_dependencies.py"
)
audit = importlib.util.module_from_spec(_spec)
sys.modules.setdefault(_spec.name, audit)  # dataclasses look their module up by name
_spec.loader.exec_module(audit)

TODAY = dt.date(2026, 11, 30)
ENTRY = """
[[ignore]]
id = "GHSA-aaaa-bbbb-cccc"
package = "Django"
reason = "Only the admin's X is affected; the portal's admin is behind MFA. Upgrade due."
expires = {expires}
"""


def django_report(*vulns: dict) -> dict:
    return {"dependencies": [{"name": "django", "version": "5.2.19", "vulns": list(vulns)}]}


def vuln(vuln_id: str, *aliases: str) -> dict:
    return {"id": vuln_id, "aliases": list(aliases), "fix_versions": ["5.2.20"]}


def test_an_entry_is_valid_up_to_and_including_its_expiry_date():
    allowed = audit.load_allowlist(ENTRY.format(expires="2026-11-30"), today=TODAY)
    assert set(allowed) == {"GHSA-aaaa-bbbb-cccc"}
    assert allowed["GHSA-aaaa-bbbb-cccc"].package == "django"


def test_an_expired_entry_fails_the_audit_and_names_its_date():
    with pytest.raises(audit.AllowlistError) as error:
        audit.load_allowlist(ENTRY.format(expires="2026-11-29"), today=TODAY)
    assert error.value.problems == ["entry 1 (GHSA-aaaa-bbbb-cccc): expired on 2026-11-29"]


@pytest.mark.parametrize("key", ["id", "package", "reason", "expires"])
def test_an_entry_without_each_required_key_is_refused(key):
    text = "\n".join(
        line
        for line in ENTRY.format(expires="2027-01-31").splitlines()
        if not line.startswith(f"{key} =")
    )
    with pytest.raises(audit.AllowlistError, match=f"missing {key}"):
        audit.load_allowlist(text, today=TODAY)


def test_an_expiry_that_is_not_a_date_is_refused():
    with pytest.raises(audit.AllowlistError, match="must be a date"):
        audit.load_allowlist(ENTRY.format(expires='"next year"'), today=TODAY)


def test_a_vulnerability_not_on_the_allow_list_fails():
    verdict = audit.judge(django_report(vuln("PYSEC-2026-1", "CVE-2026-1")), {})
    assert verdict.status == audit.VULNERABLE
    assert verdict.lines == [
        "VULNERABLE django 5.2.19: PYSEC-2026-1 / CVE-2026-1 (fixed in 5.2.20)"
    ]


def test_an_allow_listed_vulnerability_passes_when_named_by_an_alias():
    allowed = audit.load_allowlist(ENTRY.format(expires="2027-01-31"), today=TODAY)
    verdict = audit.judge(django_report(vuln("PYSEC-2026-1", "GHSA-aaaa-bbbb-cccc")), allowed)
    assert verdict.status == audit.PASSED
    assert verdict.lines[0].startswith(
        "allowed django 5.2.19: GHSA-aaaa-bbbb-cccc until 2027-01-31"
    )


def test_an_allow_list_entry_covers_only_the_package_it_names():
    allowed = audit.load_allowlist(ENTRY.format(expires="2027-01-31"), today=TODAY)
    report = {
        "dependencies": [
            {"name": "pillow", "version": "13.0.0", "vulns": [vuln("GHSA-aaaa-bbbb-cccc")]}
        ]
    }
    assert audit.judge(report, allowed).status == audit.VULNERABLE


def test_a_package_the_service_could_not_look_up_fails_rather_than_passing_unseen():
    report = {"dependencies": [{"name": "django", "skip_reason": "Dependency not found on PyPI"}]}
    verdict = audit.judge(report, {})
    assert verdict.status == audit.VULNERABLE
    assert verdict.lines == ["NOT AUDITED django: Dependency not found on PyPI"]


def test_the_service_counts_as_unavailable_unless_the_probe_comes_back_vulnerable():
    assert not audit.service_answers({"dependencies": [{"name": "django", "skip_reason": "404"}]})
    assert not audit.service_answers({"dependencies": [], "error": "no route"})
    assert not audit.service_answers({"dependencies": [{"name": "django", "vulns": []}]})
    assert audit.service_answers(django_report(vuln("PYSEC-2021-1")))


def test_the_repository_allow_list_is_valid_and_nothing_in_it_has_expired():
    today = dt.datetime.now(dt.UTC).date()
    audit.load_allowlist((ROOT / "pip-audit-allowlist.toml").read_text(), today=today)


@pytest.fixture
def service(monkeypatch, tmp_path):
    """main() with its allow-list in tmp_path and pip-audit replaced by canned reports."""
    allowlist = tmp_path / "allowlist.toml"
    allowlist.write_text("")
    monkeypatch.setattr(audit, "ALLOWLIST", allowlist)
    monkeypatch.delenv("AUDIT_UNAVAILABLE", raising=False)
    reports = {"probe": django_report(vuln("PYSEC-2021-1")), "lock": django_report()}
    audited = []

    def fake_pip_audit(requirements, *, service):
        kind = "lock" if requirements == audit.LOCK else "probe"
        audited.append(kind)
        return reports[kind]

    monkeypatch.setattr(audit, "pip_audit", fake_pip_audit)
    return allowlist, reports, audited


def test_main_fails_on_an_expired_entry_before_asking_the_service(service, capsys):
    allowlist, _, audited = service
    allowlist.write_text(ENTRY.format(expires="2020-01-31"))
    assert audit.main() == audit.ALLOWLIST_INVALID
    assert audited == []
    assert "expired on 2020-01-31" in capsys.readouterr().out


def test_main_fails_as_unavailable_when_the_probe_finds_nothing_unless_told_to_warn(
    service, monkeypatch, capsys
):
    _, reports, audited = service
    reports["probe"] = {"dependencies": [{"name": "django", "skip_reason": "not found"}]}
    assert audit.main() == audit.UNAVAILABLE
    assert "requirements.lock was NOT audited" in capsys.readouterr().out
    monkeypatch.setenv("AUDIT_UNAVAILABLE", "warn")
    assert audit.main() == audit.PASSED
    assert audited == ["probe", "probe"]  # the lock is never judged on an empty service


def test_main_fails_on_a_vulnerable_lock_and_passes_a_clean_one(service):
    _, reports, audited = service
    assert audit.main() == audit.PASSED
    reports["lock"] = django_report(vuln("PYSEC-2026-9"))
    assert audit.main() == audit.VULNERABLE
    assert audited == ["probe", "lock", "probe", "lock"]

"""Reading and checking a roster's rows, and making the accounts it adds.

`RosterResource` (training/resources.py) calls these before import-export imports a single
row: `plan_rows` reads every row once and checks it on its own (email, name, kind, audience
levels, start date, line manager), then against the whole file (an email on two rows, a line
manager who is neither on the roster nor in the force) and against the accounts that already
exist (looked up a chunk of emails at a time, never one query per row). `create_accounts` then
makes the new accounts in bulk, each with a reporter membership and no usable password.

Messages name the value at fault and say what to do, in GOV.UK style; the preview shows them
beside the spreadsheet's own row number. They never tell a trainer anything about an account
outside their force: an email that has an account but cannot join this roster (an account in
another force, a family account, any other) gets one message, NOT_ADDABLE, whatever the reason,
and a line manager who cannot be found here gets one message whether or not they exist.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from harmsportal.people.models import Force, Membership, Role, User
from training.models import WORKFORCE_AUDIENCES, Audience, TrainingProfile

# The columns a roster has, in this order when exported. Headings are matched without regard
# to case, spaces or punctuation ("Line manager email" is line_manager_email).
COLUMNS = ("email", "name", "kind", "audiences", "start_date", "line_manager_email")
REQUIRED_COLUMNS = ("email", "name", "kind", "audiences")
HEADER_ALIASES = {
    "email_address": "email",
    "e_mail": "email",
    "full_name": "name",
    "audience": "audiences",
    "audience_level": "audiences",
    "audience_levels": "audiences",
    "started": "start_date",
    "line_manager": "line_manager_email",
    "line_manager_email_address": "line_manager_email",
    "manager_email": "line_manager_email",
}

# For any email whose account cannot be put on this force's roster, whatever the account is.
NOT_ADDABLE = (
    "This email address cannot be added by this force. Ask the person to contact their "
    "force's training team."
)

# Rows read from the database or written in one statement.
CHUNK = 2_000
BATCH_SIZE = 1_000
NAME_MAX = User._meta.get_field("full_name").max_length
EMAIL_MAX = User._meta.get_field("email").max_length

# What each kind of worker may be called in a roster (matched without regard to case).
KIND_WORDS = {
    "officer": User.Kind.OFFICER,
    "police officer": User.Kind.OFFICER,
    "staff": User.Kind.STAFF,
    "police staff": User.Kind.STAFF,
    "pcso": User.Kind.STAFF,
    "volunteer": User.Kind.VOLUNTEER,
    "special": User.Kind.VOLUNTEER,
    "special constable": User.Kind.VOLUNTEER,
    "police support volunteer": User.Kind.VOLUNTEER,
    User.Kind.VOLUNTEER.label.lower(): User.Kind.VOLUNTEER,
}
# Audience levels by value and by label: "line_manager", "line manager", "Line manager",
# "specialist (including covert roles)" and "specialist" are all the same level.
AUDIENCE_WORDS = {
    **{_a.value.replace("_", " "): _a.value for _a in Audience},
    **{_a.label.lower(): _a.value for _a in Audience},
}
AUDIENCE_LIST = "induction, frontline, specialist, line manager or leadership"

_DATE_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d+)")
_DATE_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?")
_DATE_WORDS = re.compile(r"(\d{1,2})\s+([A-Za-z]+)\.?\s+(\d+)")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}


def header_key(heading) -> str:
    """ "Line manager email" -> line_manager_email; the canonical name where there is one."""
    key = re.sub(r"[^a-z0-9]+", "_", str(heading or "").strip().lower()).strip("_")
    return HEADER_ALIASES.get(key, key)


def roster_header_problems(headers: Sequence[str]) -> list[str]:
    """What is wrong with a roster's headings (already passed through `header_key`)."""
    problems = [
        f"The file must have a column headed {name}."
        for name in REQUIRED_COLUMNS
        if name not in headers
    ]
    problems += [
        f"The file has more than one column headed {name}. Keep one."
        for name in COLUMNS
        if list(headers).count(name) > 1
    ]
    return problems


class RowStatus:
    NEW_ACCOUNT = "new_account"  # no account yet: one is made, and they are invited
    NEW_PROFILE = "new_profile"  # has an account in this force, not yet on its roster
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"
    BLANK = "blank"  # an empty line in the file: ignored


@dataclass(slots=True)
class RosterRow:
    """One row of a roster as read, checked and planned. `number` is the spreadsheet's row
    number (the headings are row 1), as the trainer sees it in their file."""

    number: int
    email: str = ""
    name: str = ""
    kind: str = ""
    kind_given: bool = False
    audiences: tuple[str, ...] = ()
    start_date: dt.date | None = None
    line_manager_email: str = ""
    errors: list[str] = field(default_factory=list)
    blank: bool = False
    email_ok: bool = False
    new_account: bool = False
    person_id: int | None = None
    line_manager_id: int | None = None
    # The person's current profile in this force: (pk, audiences, start date, line manager id).
    existing: tuple | None = None

    @property
    def unchanged(self) -> bool:
        if self.existing is None:
            return False
        _pk, audiences, start_date, line_manager_id = self.existing
        return (
            canonical_audiences(audiences) == self.audiences
            and start_date == self.start_date
            and line_manager_id == self.line_manager_id
        )

    @property
    def status(self) -> str:
        if self.blank:
            return RowStatus.BLANK
        if self.errors:
            return RowStatus.ERROR
        if self.new_account:
            return RowStatus.NEW_ACCOUNT
        if self.existing is None:
            return RowStatus.NEW_PROFILE
        return RowStatus.UNCHANGED if self.unchanged else RowStatus.UPDATE


def canonical_audiences(values: Iterable[str]) -> tuple[str, ...]:
    """Audience levels in one fixed order, each once: the same set always compares equal."""
    present = set(values)
    return tuple(a.value for a in WORKFORCE_AUDIENCES if a.value in present)


def _chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def text_of(value) -> str:
    """A cell as text, exactly as written (trimmed). Never evaluated."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# --- reading one row -------------------------------------------------------------------------


def _read_email(row: RosterRow, raw) -> None:
    text = text_of(raw)
    row.email = text.lower()
    if not text:
        row.errors.append("Enter an email address.")
        return
    try:
        if len(text) > EMAIL_MAX:
            raise ValidationError("too long")
        validate_email(text)
    except ValidationError:
        row.errors.append(
            f"{text} is not a valid email address. Enter it like name@example.police.uk."
        )
        return
    row.email_ok = True


def _read_name(row: RosterRow, raw) -> None:
    row.name = text_of(raw)
    if not row.name:
        row.errors.append("Enter the person's name.")
    elif len(row.name) > NAME_MAX:
        row.errors.append(f"The name must be {NAME_MAX} characters or fewer.")


def _read_kind(row: RosterRow, raw) -> None:
    text = text_of(raw)
    row.kind_given = bool(text)
    if not text:
        return  # required only for a new account: checked once accounts are known
    word = re.sub(r"\s+", " ", text.lower())
    if word in ("family", User.Kind.FAMILY.label.lower()):
        row.errors.append(
            "A roster cannot add family accounts. Family members are invited by the officer "
            "or member of staff they are linked to."
        )
        return
    kind = KIND_WORDS.get(word) or (word if word in User.Kind.values else None)
    if kind is None:
        row.errors.append(f"Unknown kind of worker {text}. Use officer, staff or volunteer.")
        return
    row.kind = kind


def _read_audiences(row: RosterRow, raw) -> None:
    text = text_of(raw)
    found = []
    for part in re.split(r"[;,\n]", text):
        word = re.sub(r"[\s_\-]+", " ", part.strip().lower())
        if not word:
            continue
        value = AUDIENCE_WORDS.get(word)
        if value == Audience.FAMILY:
            row.errors.append(
                "Family is not an audience level for a roster. Family members are invited by "
                "the officer or member of staff they are linked to."
            )
        elif value is None:
            row.errors.append(f"Unknown audience {part.strip()}. Use {AUDIENCE_LIST}.")
        else:
            found.append(value)
    if not found and not row.errors:
        row.errors.append(f"Enter at least one audience level: {AUDIENCE_LIST}.")
    row.audiences = canonical_audiences(found)


def _read_start_date(row: RosterRow, raw) -> None:
    if isinstance(raw, dt.datetime):  # an Excel date cell
        row.start_date = raw.date()
        return
    if isinstance(raw, dt.date):
        row.start_date = raw
        return
    text = text_of(raw)
    if not text:
        return
    parsed = _parse_date(text)
    if parsed is None:
        row.errors.append(
            f"The start date {text} must be a real date with a 4-digit year, like 27/03/2024."
        )
    row.start_date = parsed


def _parse_date(text: str) -> dt.date | None:
    """27/03/2024, 27-3-2024, 2024-03-27 or 27 March 2024 (UK order); None if not a real date
    with a 4-digit year."""
    if match := _DATE_ISO.fullmatch(text):
        year, month, day = match.groups()
    elif match := _DATE_DMY.fullmatch(text):
        day, month, year = match.groups()
    elif match := _DATE_WORDS.fullmatch(text):
        day, month_name, year = match.groups()
        month = _MONTHS.get(month_name.lower())
        if month is None:
            return None
    else:
        return None
    if len(str(year)) != 4:
        return None
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _read_line_manager(row: RosterRow, raw) -> None:
    text = text_of(raw)
    row.line_manager_email = text.lower()
    if not text:
        return
    try:
        validate_email(text)
    except ValidationError:
        row.errors.append(
            f"The line manager's email {text} is not a valid email address. Enter it like "
            "name@example.police.uk."
        )
        row.line_manager_email = ""
        return
    if row.email_ok and row.line_manager_email == row.email:
        row.errors.append("A person cannot be their own line manager.")
        row.line_manager_email = ""


def read_row(number: int, cells: dict) -> RosterRow:
    """Check one row on its own; what needs the whole file or the database comes later."""
    row = RosterRow(number=number)
    if all(text_of(value) == "" for value in cells.values()):
        row.blank = True
        return row
    _read_email(row, cells.get("email"))
    _read_name(row, cells.get("name"))
    _read_kind(row, cells.get("kind"))
    _read_audiences(row, cells.get("audiences"))
    _read_start_date(row, cells.get("start_date"))
    _read_line_manager(row, cells.get("line_manager_email"))
    return row


# --- the whole file --------------------------------------------------------------------------


@dataclass
class _Accounts:
    """Who already has an account, and which of them are in this force, for the emails a
    roster names. Nothing is looked up about any other force."""

    ids: dict[str, int]
    kinds: dict[int, str]
    in_force: set[int]
    profiles: dict[int, tuple]

    @classmethod
    def look_up(cls, emails: Sequence[str], force: Force) -> _Accounts:
        ids, kinds = {}, {}
        for chunk in _chunks(emails):
            for pk, email, kind in User.objects.filter(email__in=chunk).values_list(
                "pk", "email", "kind"
            ):
                ids[email.lower()] = pk
                kinds[pk] = kind
        in_force = set()
        for chunk in _chunks(list(kinds)):
            in_force.update(
                Membership.objects.filter(user_id__in=chunk, force=force)
                .values_list("user_id", flat=True)
                .distinct()
            )
        profiles = {}
        for chunk in _chunks(sorted(in_force)):
            for (
                pk,
                person_id,
                audiences,
                start_date,
                line_manager_id,
            ) in TrainingProfile.objects.filter(force=force, person_id__in=chunk).values_list(
                "pk", "person_id", "audiences", "start_date", "line_manager_id"
            ):
                profiles[person_id] = (pk, audiences, start_date, line_manager_id)
        return cls(ids, kinds, in_force, profiles)

    def member_here(self, pk: int) -> bool:
        return pk in self.in_force and self.kinds.get(pk) != User.Kind.FAMILY


def plan_rows(dataset, force: Force) -> list[RosterRow]:
    """Read and check every row of `dataset` (headings already canonical) for `force`."""
    columns = {name: index for index, name in enumerate(dataset.headers) if name in COLUMNS}
    rows = []
    for number, values in enumerate(dataset, start=2):
        cells = {
            name: values[index] if index < len(values) else None for name, index in columns.items()
        }
        rows.append(read_row(number, cells))
    _check_duplicates(rows)
    in_file = {row.email for row in rows if row.email_ok}
    wanted = sorted(in_file | {row.line_manager_email for row in rows if row.line_manager_email})
    accounts = _Accounts.look_up(wanted, force)
    for row in rows:
        if not row.blank:
            _check_person(row, accounts)
            _check_line_manager(row, accounts, in_file, force)
    return rows


def _check_duplicates(rows: list[RosterRow]) -> None:
    numbers = defaultdict(list)
    for row in rows:
        if row.email_ok:
            numbers[row.email].append(row.number)
    for row in rows:
        found = numbers.get(row.email) if row.email_ok else None
        if found and len(found) > 1:
            listed = ", ".join(map(str, found[:-1])) + f" and {found[-1]}"
            row.errors.append(
                f"{row.email} is on more than one row (rows {listed}). Keep one row for "
                "each person."
            )


def _check_person(row: RosterRow, accounts: _Accounts) -> None:
    if not row.email_ok:
        return
    pk = accounts.ids.get(row.email)
    if pk is None:
        row.new_account = True
        if not row.kind_given:
            row.errors.append("Enter the kind of worker: officer, staff or volunteer.")
        return
    if not accounts.member_here(pk):
        # A family account here or anywhere, an account in another force, an account with no
        # force: the same words, so the upload reveals nothing about whose account it is.
        row.errors.append(NOT_ADDABLE)
        return
    row.person_id = pk
    row.existing = accounts.profiles.get(pk)


def _check_line_manager(
    row: RosterRow, accounts: _Accounts, in_file: set[str], force: Force
) -> None:
    email = row.line_manager_email
    if not email or email in in_file:
        return  # none, or someone on this roster: their account is known once it is made
    pk = accounts.ids.get(email)
    if pk is not None and accounts.member_here(pk):
        # Professional Standards people may manage a team: the roster records the reporting
        # line for training. The line-manager notice (training.services.notices) never goes
        # to them, so nothing of a report reaches them through it.
        row.line_manager_id = pk
    else:
        # No account, an account elsewhere, a family account: the same words for each.
        row.errors.append(
            f"The line manager {email} is not on this roster and cannot be found in "
            f"{force.name}. Add them to the roster, or check the email address."
        )


def create_accounts(rows: list[RosterRow], force: Force, now: dt.datetime) -> int:
    """Make the new accounts (no usable password: they set one through "reset your
    password") and their reporter membership, a batch at a time; fill in every row's
    person and line manager ids. Returns how many accounts were made."""
    new_rows = [row for row in rows if row.new_account]
    for batch in _chunks(new_rows, BATCH_SIZE):
        users = [
            User(
                email=row.email,
                full_name=row.name,
                kind=row.kind,
                password=UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
                date_joined=now,
            )
            for row in batch
        ]
        User.objects.bulk_create(users)
        if any(user.pk is None for user in users):  # a database that cannot return ids
            ids = dict(
                User.objects.filter(email__in=[u.email for u in users]).values_list("email", "pk")
            )
            for user in users:
                user.pk = ids[user.email]
        # Reporter is the only role a roster ever gives, whatever the file says.
        Membership.objects.bulk_create(
            Membership(user_id=user.pk, force_id=force.pk, role=Role.REPORTER) for user in users
        )
        for row, user in zip(batch, users, strict=True):
            row.person_id = user.pk
    ids = {row.email: row.person_id for row in rows if row.person_id is not None}
    for row in rows:
        if row.line_manager_email in ids:
            row.line_manager_id = ids[row.line_manager_email]
    return len(new_rows)

"""The demo's story as data: West Yorkshire's audience rules, what learners said, and the
roster (the demo accounts' and some forty colleagues') with each person's work. No database:
training.demo.seeding tells it through the services (the story: training/demo/__init__.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from training.models import Audience

FOOTPRINT = "your-online-footprint"
FRONTLINE = "recognising-and-reporting-online-harm"
SPECIALIST = "working-in-a-covert-or-specialist-role"
LINE_MANAGER = "supporting-a-colleague-who-is-targeted"
LEADERSHIP = "leading-a-culture-of-care"
FAMILY = "keeping-your-family-safe-online"

# (audience, module slug, days to complete it in): West Yorkshire's audience rules.
RULES: tuple[tuple[str, str, int], ...] = (
    (Audience.INDUCTION, FOOTPRINT, 30),
    (Audience.FRONTLINE, FRONTLINE, 60),
    (Audience.SPECIALIST, SPECIALIST, 30),
    (Audience.LINE_MANAGER, LINE_MANAGER, 60),
    (Audience.LEADERSHIP, LEADERSHIP, 90),
)

# What learners said afterwards: (rating, what would make it better, changed what they do).
FEEDBACK: tuple[tuple[int, str, str], ...] = (
    (5, "", "yes"),
    (4, "More examples from UK forces would make it feel closer to home.", "a_little"),
    (
        5,
        "The part on people-search sites was new to me. I have asked two of them to remove my "
        "details.",
        "yes",
    ),
    (3, "It was a bit long for a refreshment break. Two shorter parts would help.", "a_little"),
    (4, "", "yes"),
    (
        2,
        "I knew most of this already. A quicker route for people who have done it before would "
        "be good.",
        "no",
    ),
)


@dataclass(frozen=True)
class Work:
    """One person's work on one module, as the story has it now.

    kind: "completed" (`days` ago), "expiring" (completed so that it expires in about `days`
    days), "open" (due in `days` days) or "overdue" (due `days` days ago). `feedback`: an index
    into FEEDBACK, given after completing.
    """

    module: str
    kind: str
    days: int
    feedback: int | None = None


@dataclass(frozen=True)
class RosterEntry:
    audiences: tuple[str, ...]
    started_days_ago: int
    line_manager: str | None  # a demo account's key, or a colleague's key
    work: tuple[Work, ...] = ()


# The demo accounts on West Yorkshire's roster (the analyst, oversight, platform admin and the
# North Yorkshire triager are not on it; the family account is never on a roster).
ACCOUNT_ROSTER: dict[str, RosterEntry] = {
    "officer": RosterEntry(
        ("frontline",),
        6 * 365,
        "lead",
        (
            Work(FRONTLINE, "expiring", 18, feedback=1),
            # The trainer asked everyone in the officer's team to do it after a doxxing spike.
            Work(FOOTPRINT, "overdue", 9),
        ),
    ),
    "staff": RosterEntry(("induction",), 12, "lead", (Work(FOOTPRINT, "open", 18),)),
    "triage": RosterEntry(
        ("frontline",),
        3 * 365,
        "supervisor",
        (Work(FRONTLINE, "completed", 95, feedback=2), Work(FOOTPRINT, "open", 20)),
    ),
    "supervisor": RosterEntry(
        ("frontline", "line_manager"),
        11 * 365,
        "lead",
        (Work(FRONTLINE, "completed", 130, feedback=4), Work(LINE_MANAGER, "overdue", 5)),
    ),
    "champion": RosterEntry(("frontline",), 5 * 365, "lead", (Work(FRONTLINE, "overdue", 12),)),
    # No feedback yet: the trainer can try giving it.
    "trainer": RosterEntry(("frontline",), 8 * 365, "lead", (Work(FRONTLINE, "completed", 30),)),
    "lead": RosterEntry(
        ("frontline", "line_manager", "leadership"),
        15 * 365,
        None,
        (
            Work(LEADERSHIP, "expiring", 22),
            Work(LINE_MANAGER, "completed", 60, feedback=0),
            Work(FRONTLINE, "open", 40),
        ),
    ),
    "psd": RosterEntry(
        ("frontline", "specialist"),
        9 * 365,
        None,
        (Work(SPECIALIST, "completed", 180, feedback=3), Work(FRONTLINE, "open", 25)),
    ),
}

# The family account is asked to do the family module (assigned by the trainer).
FAMILY_WORK = Work(FAMILY, "open", 21)

COLLEAGUE_NAMES: tuple[str, ...] = (
    "Aisha Begum", "Ben Whitaker", "Carys Hughes", "Daniel Osei", "Ellie Marsh",
    "Farhan Iqbal", "Grace Holroyd", "Harry Nolan", "Imogen Clarke", "Jack Sutcliffe",
    "Kiran Dhillon", "Laura Pickles", "Mohammed Rafiq", "Niamh Doyle", "Oliver Brook",
    "Poppy Heald", "Qasim Hussain", "Rachel Armitage", "Sean Gallagher", "Tanya Wood",
    "Usman Akhtar", "Vicky Lister", "William Crowther", "Yasmin Patel", "Zoe Ingham",
    "Adam Fothergill", "Bethany Lund", "Callum Reeve", "Deborah Haigh", "Ethan Mellor",
    "Fiona Gill", "George Bairstow", "Hannah Ackroyd", "Ibrahim Sadiq", "Jess Thornton",
    "Kieran Lodge",
)  # fmt: skip
NEW_JOINERS = 10  # the first ten colleagues started recently: induction applies to them
COLLEAGUE_MANAGERS = range(30, 36)  # the last six manage the rest
LEADERS = range(33, 36)  # and the last three also lead


def colleague_key(name: str) -> str:
    return "training-" + name.lower().replace(" ", "-")


def colleague_roster() -> dict[str, RosterEntry]:
    """Each colleague's audiences, start date, line manager and work, from their place in the
    list: frontline work in every state (so the frontline figures are large enough to show),
    new joiners' induction, specialists, line managers and leaders."""
    keys = [colleague_key(name) for name in COLLEAGUE_NAMES]
    managers = [keys[i] for i in COLLEAGUE_MANAGERS]
    roster = {}
    for i, key in enumerate(keys):
        audiences = ["frontline"]
        work = [_frontline(i)]
        if i < NEW_JOINERS:
            audiences.insert(0, "induction")
            work.append(_induction(i))
        if i % 4 == 1:
            audiences.append("specialist")
            work.append(Work(SPECIALIST, *_spread(i, completed_days=200)))
        if i in COLLEAGUE_MANAGERS:
            audiences.append("line_manager")
            work.append(Work(LINE_MANAGER, *_spread(i + 1, completed_days=150)))
        if i in LEADERS:
            audiences.append("leadership")
            work.append(Work(LEADERSHIP, *_spread(i, completed_days=300)))
        if i < 4:
            line_manager = "lead"
        elif i < 7:
            line_manager = "supervisor"
        elif i in COLLEAGUE_MANAGERS:
            line_manager = None
        else:
            line_manager = managers[i % len(managers)]
        started = 10 + 9 * i if i < NEW_JOINERS else 400 + 97 * i
        roster[key] = RosterEntry(tuple(audiences), started, line_manager, tuple(work))
    return roster


def _frontline(i: int) -> Work:
    feedback = i % len(FEEDBACK) if i % 2 == 0 else None
    match i % 6:
        case 0 | 1 | 2:
            # Within the module's year, so every one of them is still in date.
            return Work(FRONTLINE, "completed", 20 + (11 * i) % 300, feedback=feedback)
        case 3:
            return Work(FRONTLINE, "open", 10 + i)
        case 4:
            return Work(FRONTLINE, "overdue", 3 + i)
        case _:
            return Work(FRONTLINE, "expiring", 4 + i % 25, feedback=feedback)


def _induction(i: int) -> Work:
    if i < 6:
        return Work(FOOTPRINT, "completed", 2 + i, feedback=(i + 2) % len(FEEDBACK))
    if i < 8:
        return Work(FOOTPRINT, "open", 25 - i)
    return Work(FOOTPRINT, "overdue", i - 5)


def _spread(i: int, *, completed_days: int) -> tuple[str, int]:
    """Mostly completed, some due soon, a few overdue."""
    match i % 5:
        case 0 | 1 | 2:
            return ("completed", completed_days - 7 * (i % 9))
        case 3:
            return ("open", 15 + i % 20)
        case _:
            return ("overdue", 2 + i % 10)

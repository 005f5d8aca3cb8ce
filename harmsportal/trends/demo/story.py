"""The trends demo's story as data: which forces, how many reports, and how they change.

Two years of synthetic history (docs: the trends section of DESIGN.md), so every dashboard has
something to say: volumes that grow, a summer peak, one month in West Yorkshire when a video
went viral, doxxing and TikTok rising while X falls, a force that got quicker at first
responses and one that got slower, and City of London, small enough that most of its cells
show "<5". Nothing here is real: the reporters are `history-<n>@demo.harmsportal.test`
accounts nobody can sign in to, with no names.
"""

from __future__ import annotations

from dataclasses import dataclass

# Complete months of history before the current one (the current month so far is added too).
HISTORY_MONTHS = 24
DEMO_KEY_PREFIX = "history-"
EMAIL = "history-{n}@demo.harmsportal.test"
# Said on every history report and outcome: free text that is obviously not a person's.
DESCRIPTION = "Demonstration history for the trends dashboards: no real person or event."
OUTCOME_EXPLANATION = "Demonstration history: no real person or event."
# Reports per person over the two years, on average (some people report more than once).
REPORTS_PER_PERSON = 2.5
# The same history every time the demo is seeded (dates move with today).
SEED = 20260401


@dataclass(frozen=True)
class ForceStory:
    slug: str
    start: float  # reports a month two years ago
    end: float  # reports a month now
    response: tuple[float, float]  # time-to-first-response multiplier, two years ago -> now
    outcome: float  # time-to-outcome multiplier
    # A month (months ago) when reports surged, and by how much.
    surge: tuple[int, float] | None = None


FORCES: tuple[ForceStory, ...] = (
    ForceStory("west-yorkshire", 34, 46, (1.35, 0.8), 1.0, surge=(8, 1.7)),
    ForceStory("greater-manchester", 40, 52, (1.0, 1.45), 1.3),
    ForceStory("west-midlands", 30, 38, (1.0, 1.0), 0.9),
    ForceStory("south-yorkshire", 16, 22, (1.1, 0.95), 1.1),
    ForceStory("north-yorkshire", 8, 11, (0.9, 0.9), 0.8),
    ForceStory("city-of-london", 0.8, 1.2, (1.0, 1.0), 1.0),
)

# West Yorkshire's peer group, as a platform admin would load the Home Office's most similar
# groups (these are for the demo only, not the published groups).
PEER_GROUPS = {
    "west-yorkshire": ("greater-manchester", "west-midlands", "south-yorkshire"),
}
# The name of the demo lead's API key (its key itself is never known).
LEAD_API_KEY = "Force BI dashboard"
PEER_SOURCE = "Demonstration peer group (not the Home Office's published most similar groups)"

# Categories: weight two years ago -> weight now.
CATEGORIES = {
    "abuse": (22, 19),
    "harassment": (16, 15),
    "threats": (12, 12),
    "doxxing": (8, 16),
    "impersonation": (8, 7),
    "image-based-abuse": (3, 7),
    "pile-ons": (9, 10),
    "hate": (5, 5),
    "stalking": (4, 4),
    "family-targeting": (6, 7),
    "account-compromise": (5, 5),
    "disinformation": (5, 4),
    "other": (2, 2),
}
# Categories a surge month is made of (a video of an arrest, shared widely).
SURGE_CATEGORIES = ("pile-ons", "doxxing", "abuse")
# Categories triage most often records as crimes.
CRIME_LIKELY = frozenset({"threats", "doxxing", "stalking", "image-based-abuse", "hate"})

PLATFORMS = {
    "x": (20, 13),
    "facebook": (22, 19),
    "instagram": (12, 12),
    "tiktok": (9, 18),
    "youtube": (4, 4),
    "snapchat": (4, 4),
    "whatsapp": (10, 10),
    "telegram": (3, 4),
    "reddit": (2, 2),
    "forums-websites": (4, 3),
    "email": (3, 2),
    "gaming": (1, 1),
    "dating-apps": (1, 1),
    "other": (2, 2),
}
OFFLINE_IMPACTS = {
    "home_visited": 6,
    "approached": 9,
    "family_approached": 6,
    "moved_house": 1,
    "property_targeted": 4,
}
# Who reports: officers, staff, volunteers (specials) and family members.
REPORTER_KINDS = {"officer": 58, "staff": 22, "volunteer": 7, "family": 13}
WANTS_SUPPORT = {"yes": 35, "not_sure": 20, "no": 45}
RISKS = {"immediate": 3, "high": 22, "medium": 45, "low": 30}
# Median hours to first response by risk, before the force's multiplier.
RESPONSE_HOURS = {"immediate": 0.6, "high": 7.0, "medium": 30.0, "low": 60.0}
OUTCOME_MEDIAN_DAYS = 15.0
OUTCOMES_CRIME = {
    "investigation": 45,
    "advice": 20,
    "takedown": 15,
    "support": 10,
    "no_further_action": 10,
}
OUTCOMES_OTHER = {
    "advice": 32,
    "takedown": 25,
    "technical": 13,
    "support": 12,
    "no_further_action": 18,
}
WITHDRAWN_SHARE = 0.04

# Voluntary answers about the reporter: some answer all, some a few, most none.
ANSWERS_ALL, ANSWERS_SOME = 0.42, 0.16
DEMOGRAPHICS = {
    "age_band": {
        "under_25": 10,
        "25_34": 30,
        "35_44": 30,
        "45_54": 21,
        "55_plus": 6,
        "prefer_not_to_say": 3,
    },
    "sex": {"female": 36, "male": 60, "prefer_not_to_say": 4},
    "gender_same_as_sex": {"yes": 95, "no": 1, "prefer_not_to_say": 4},
    "ethnicity": {
        "white": 86,
        "asian": 6,
        "black": 2,
        "mixed": 3,
        "other": 1,
        "prefer_not_to_say": 2,
    },
    "disability": {"yes": 7, "no": 87, "prefer_not_to_say": 6},
    "sexual_orientation": {
        "straight": 84,
        "gay_lesbian": 5,
        "bisexual": 4,
        "other": 1,
        "prefer_not_to_say": 6,
    },
    "religion": {
        "none": 50,
        "christian": 37,
        "muslim": 4,
        "hindu": 1,
        "sikh": 1,
        "buddhist": 1,
        "jewish": 1,
        "other": 2,
        "prefer_not_to_say": 3,
    },
}

"""The digital-footprint self-check's questions: what it asks, and what each answer leads to.

The check asks about seven areas (`AREAS`: what can be found about you, the electoral register,
people-search sites, photos of home and car, children's accounts, fitness apps and account
security). Each answer either leads to a piece of practical advice (`FootprintOption.advice`, a
key in `training.footprint_advice_text.ADVICE`), or is something the person already does,
acknowledged in their own terms (`FootprintOption.doing`), or neither (it does not apply to
them). Data only: recording and reading a check is `training.services.footprint`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FootprintOption:
    value: str
    label: str
    advice: str | None = None  # a key in ADVICE: what the person could do next
    doing: str | None = None  # what they already do, said back to them


@dataclass(frozen=True)
class FootprintQuestion:
    key: str
    area: str  # a key in AREAS
    text: str
    error: str  # the GOV.UK message when it is not answered
    options: tuple[FootprintOption, ...]
    hint: str = ""

    def option(self, value: str) -> FootprintOption | None:
        return next((o for o in self.options if o.value == value), None)


AREAS = {
    "findable": "What can be found about you",
    "register": "The electoral register",
    "people_search": "People-search sites",
    "photos": "Photos of your home and car",
    "children": "Children's accounts",
    "fitness": "Fitness apps",
    "security": "Account security",
}

NOT_SURE = "I'm not sure"

QUESTIONS: tuple[FootprintQuestion, ...] = (
    FootprintQuestion(
        key="searched_name",
        area="findable",
        text="Have you searched online for your own name in the last year?",
        hint="For example, your name with your town, or with the force you or your family "
        "member works for.",
        error="Select whether you have searched online for your own name in the last year.",
        options=(
            FootprintOption("yes", "Yes", doing="You have searched for your own name recently."),
            FootprintOption("no", "No", advice="search_name"),
        ),
    ),
    FootprintQuestion(
        key="searched_images",
        area="findable",
        text="Have you done a reverse image search of your profile photos?",
        hint="A reverse image search, such as Google Lens or TinEye, finds other places the "
        "same photo appears.",
        error="Select whether you have done a reverse image search of your profile photos.",
        options=(
            FootprintOption(
                "yes", "Yes", doing="You have checked where your profile photos appear."
            ),
            FootprintOption("no", "No", advice="search_images"),
        ),
    ),
    FootprintQuestion(
        key="profiles_mention_policing",
        area="findable",
        text="Do any of your public profiles mention policing, or show you or a family member "
        "in police uniform?",
        error="Select whether any of your public profiles mention policing.",
        options=(
            FootprintOption("no", "No", doing="Your public profiles do not mention policing."),
            FootprintOption("yes", "Yes", advice="profiles"),
            FootprintOption("not_sure", NOT_SURE, advice="profiles"),
        ),
    ),
    FootprintQuestion(
        key="open_register",
        area="register",
        text="Are you on the open register?",
        hint="The open register is the version of the electoral register that anyone can buy. "
        "It is not the same as being registered to vote.",
        error="Select whether you are on the open register.",
        options=(
            FootprintOption(
                "opted_out",
                "No, I have opted out",
                doing="You have opted out of the open register.",
            ),
            FootprintOption("on", "Yes, I am on it", advice="open_register"),
            FootprintOption("not_sure", NOT_SURE, advice="open_register"),
            FootprintOption(
                "not_registered", "I am not registered to vote", advice="register_opted_out"
            ),
        ),
    ),
    FootprintQuestion(
        key="people_search",
        area="people_search",
        text="Have you checked people-search sites, such as 192.com, for your name and address?",
        error="Select whether you have checked people-search sites for your name and address.",
        options=(
            FootprintOption(
                "removed",
                "Yes, and I asked them to remove me",
                doing="You have asked people-search sites to remove you.",
            ),
            FootprintOption(
                "not_listed",
                "Yes, and I was not listed",
                doing="You have checked people-search sites for your details.",
            ),
            FootprintOption("no", "No, not yet", advice="people_search"),
        ),
    ),
    FootprintQuestion(
        key="photos_home",
        area="photos",
        text="Do any photos that you or your family have posted show your house number, your "
        "street or your car's number plate?",
        error="Select whether any photos show your house number, street or number plate.",
        options=(
            FootprintOption("no", "No", doing="Your photos do not show your home or your car."),
            FootprintOption("yes", "Yes", advice="photos_home"),
            FootprintOption("not_sure", NOT_SURE, advice="photos_home"),
        ),
    ),
    FootprintQuestion(
        key="camera_location",
        area="photos",
        text="Is location turned off for your phone's camera?",
        hint="When it is on, each photo can store exactly where it was taken.",
        error="Select whether location is turned off for your phone's camera.",
        options=(
            FootprintOption(
                "off", "Yes, it is off", doing="Your camera does not record where you are."
            ),
            FootprintOption("on", "No, it is on", advice="camera_location"),
            FootprintOption("not_sure", NOT_SURE, advice="camera_location"),
        ),
    ),
    FootprintQuestion(
        key="children_accounts",
        area="children",
        text="Do children in your household have social media or gaming accounts?",
        error="Select whether children in your household have social media or gaming accounts.",
        options=(
            FootprintOption(
                "checked",
                "Yes, and we have been through their privacy settings together",
                doing="You have been through your children's privacy settings with them.",
            ),
            FootprintOption(
                "not_checked",
                "Yes, but we have not checked their settings yet",
                advice="children",
            ),
            FootprintOption("not_sure", "I'm not sure which accounts they have", advice="children"),
            FootprintOption("none", "No, or no children live with me"),
        ),
    ),
    FootprintQuestion(
        key="fitness_app",
        area="fitness",
        text="Do you record runs, rides or walks with a fitness app?",
        hint="Such as Strava, Garmin Connect or a running club's app.",
        error="Select whether you record runs, rides or walks with a fitness app.",
        options=(
            FootprintOption(
                "private",
                "Yes, and my routes are private or hide where I start and finish",
                doing="Your fitness app does not show where your routes start and finish.",
            ),
            FootprintOption(
                "not_checked",
                "Yes, and I have not checked who can see my routes",
                advice="fitness",
            ),
            FootprintOption("no", "No, I do not use one"),
        ),
    ),
    FootprintQuestion(
        key="two_step",
        area="security",
        text="Is 2-step verification turned on for your email and social media accounts?",
        hint="Sometimes called two-factor authentication: a code from your phone as well as "
        "your password.",
        error="Select whether 2-step verification is turned on for your accounts.",
        options=(
            FootprintOption(
                "all",
                "Yes, on all of them",
                doing="2-step verification is on for your email and social media.",
            ),
            FootprintOption("some", "On some of them", advice="two_step"),
            FootprintOption("no", "No", advice="two_step"),
            FootprintOption("not_sure", NOT_SURE, advice="two_step"),
        ),
    ),
    FootprintQuestion(
        key="passwords",
        area="security",
        text="Do you use a different password for each of your important accounts?",
        error="Select whether you use a different password for each important account.",
        options=(
            FootprintOption(
                "yes",
                "Yes, or I use a password manager",
                doing="You use a different password for each important account.",
            ),
            FootprintOption("some", "I reuse some passwords", advice="passwords"),
            FootprintOption("no", "I use the same password for most things", advice="passwords"),
        ),
    ),
    FootprintQuestion(
        key="recovery",
        area="security",
        text="Are the recovery phone number and email address on your main email account up "
        "to date?",
        error="Select whether the recovery details on your main email account are up to date.",
        options=(
            FootprintOption(
                "yes", "Yes", doing="Your email account's recovery details are up to date."
            ),
            FootprintOption("no", "No", advice="recovery"),
            FootprintOption("not_sure", NOT_SURE, advice="recovery"),
        ),
    ),
)

QUESTIONS_BY_KEY = {q.key: q for q in QUESTIONS}

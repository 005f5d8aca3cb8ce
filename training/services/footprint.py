"""The digital-footprint self-check: its questions, the advice each answer leads to, and
recording that someone did it.

The check asks about seven things (what can be found about you, the electoral register,
people-search sites, photos of home and car, children's accounts, fitness apps and account
security). Each answer either leads to a piece of practical advice (`FootprintOption.advice`, a key in
`ADVICE`), or is something the person already does, acknowledged in their own terms
(`FootprintOption.doing`), or neither (it does not apply to them).

Privacy: `footprint_check_record` keeps only the fact and time of completion, unless the person
ticked "Save my answers"; then their answers are kept (replacing any saved before) until they
delete them with `footprint_answers_delete`, which keeps the completion.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from harmsportal.people.models import User
from training.models import FootprintCheck


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


@dataclass(frozen=True)
class Advice:
    key: str
    title: str
    body: str  # markdown, rendered with training.markdown.render_markdown


@dataclass(frozen=True)
class FootprintAdvice:
    """What applies to one set of answers: advice to act on, and what they already do."""

    to_do: list[Advice] = field(default_factory=list)
    doing: list[str] = field(default_factory=list)


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

_ADVICE = (
    Advice(
        "search_name",
        "Search for yourself",
        """Set aside half an hour and look at yourself the way a stranger would.

- Use a private or incognito browser window, so your own accounts do not shape the results.
- Search your full name in two or three search engines, then your name with your town, with \
the force, and with your old school or club. Try nicknames, former names and usernames too.
- Look past the first page, and check the "Images" tab.
- Write down what you find and where, so you can work through it.

Repeat it every six months, and straight away if you or your family member are in the news. \
Google's "Results about you" tool can alert you when your phone number, home address or email \
address appears in its results, and lets you ask for them to be removed.""",
    ),
    Advice(
        "search_images",
        "Check where your profile photos appear",
        """A profile photo is often the link between an anonymous video and a named person.

- Put each photo you use on social media and messaging apps into a reverse image search, such \
as Google Lens, Bing Visual Search or TinEye.
- If the same photo is on several accounts, anyone who finds one can find the rest. Use \
different photos, or one that does not show your face clearly, on the accounts that matter \
least.""",
    ),
    Advice(
        "profiles",
        "Take policing off your public profiles",
        """You do not need to hide what you or your family do from people you know. You just do \
not need to tell strangers.

- Remove the force, role, station and shift patterns from your bios and "about" sections.
- Check your profile and cover photos: on some apps they are public whatever else you set. \
Avoid photos in uniform or with police vehicles.
- Make older posts visible to friends only (many apps can do this in one step).
- Turn on tag review, so photos of you need your approval before they appear on your profile.""",
    ),
    Advice(
        "open_register",
        "Opt out of the open register",
        """The open register can be bought by anyone, and people-search sites use it.

- Contact your local council's electoral registration office and ask to be removed from the \
open register. It does not affect your vote or your credit rating.
- Everyone in your household who is registered has their own entry, so each of you needs to \
opt out.
- It takes effect from the next edition, so also ask people-search sites to remove you.
- If your safety would be at risk from your name and address being on the register, ask the \
office about anonymous registration.

[Read about the electoral register and the open register on GOV.UK]\
(https://www.gov.uk/electoral-register).""",
    ),
    Advice(
        "register_opted_out",
        "When you register to vote, opt out of the open register",
        """When you [register to vote on GOV.UK](https://www.gov.uk/register-to-vote), you can \
choose not to be on the open register, the version that anyone can buy. Tick that option, and \
your right to vote and your credit rating are not affected.""",
    ),
    Advice(
        "people_search",
        "Ask people-search sites to remove you",
        """People-search sites sell names, addresses, ages and the names of people living with you.

- Search for your name and town on the main sites, such as 192.com.
- Use each site's opt-out or removal form. Under UK data protection law you can ask them to \
erase your personal data.
- Keep a list of the sites and the date you asked. Check again in a few months, because \
details can come back when a site buys new data.
- If a site will not respond, you can complain to the \
[Information Commissioner's Office](https://ico.org.uk).""",
    ),
    Advice(
        "photos_home",
        "Take your home and car out of your photos",
        """A house number, a street sign or a number plate can lead a stranger to your door.

- Look back through your public photos, and your family's, for your house number, front \
door, street, car number plate and children's school uniforms.
- Delete those photos, make them private, or crop or blur the details. Ask friends and family \
kindly to do the same with photos of you.
- From now on, check the background before you post, and share holiday photos after you are \
home rather than while you are away.""",
    ),
    Advice(
        "camera_location",
        "Turn off location for your camera",
        """Photos can store exactly where they were taken. Many big social networks remove this \
when you upload, but email, file-sharing links, some messaging apps and some websites keep it.

- On an iPhone: Settings, then Privacy & Security, then Location Services, then Camera: set it \
to "Never". You can also turn off location for one photo when you share it, using "Options".
- On Android: open the camera app's settings and turn off location tags (the name varies by \
phone).
- Avoid check-ins and location tags at home, at school and anywhere you go regularly.""",
    ),
    Advice(
        "children",
        "Check children's accounts together",
        """Children's accounts are often the easiest way to find a family.

- Ask which apps and games they use, and sit down together to set each one to private.
- Turn off location sharing (on Snapchat, turn on Ghost Mode) and check who can message them.
- Agree that they will not post their school, their town or their parent's job, and that \
they will tell you if anyone asks about the family.
- Use the parental controls on phones, consoles and broadband, and review them as children \
grow up. [Internet Matters](https://www.internetmatters.org) has step-by-step guides.""",
    ),
    Advice(
        "fitness",
        "Hide where your routes start and finish",
        """A route that starts and ends at the same place every time shows where you live.

- In your fitness app's privacy settings, make your activities visible to followers you \
approve, or only you.
- Hide the start and end of your routes around your home (often called a privacy zone or \
map visibility).
- Turn off any setting that adds your activities to public maps, heatmaps or leaderboards.
- Check who follows you, and remove people you do not know.""",
    ),
    Advice(
        "two_step",
        "Turn on 2-step verification",
        """2-step verification stops most attempts to break into an account, even when someone \
has your password.

- Start with your email, because it can reset every other account, then social media, \
banking and shopping.
- Look for "2-step verification", "two-factor authentication" or "login approvals" in each \
account's security settings.
- An authenticator app is safer than text messages where the account offers it.

The National Cyber Security Centre's [Cyber Aware](https://www.ncsc.gov.uk/cyberaware) advice \
explains how.""",
    ),
    Advice(
        "passwords",
        "Use a different password for each important account",
        """When one site is breached, criminals try the same email and password everywhere else.

- Give your email account its own strong password that you use nowhere else.
- Make passwords from three random words, and use a different one for each important account.
- Let a password manager remember them: many phones and browsers have one built in.
- Check whether your email address has been in a known breach at \
[Have I Been Pwned](https://haveibeenpwned.com), and change any password it shows.""",
    ),
    Advice(
        "recovery",
        "Update your recovery details",
        """If you are locked out, or someone changes your password, your recovery phone number \
and email address are how you get back in.

- In your email account's security settings, check the recovery phone number and email \
address are ones you still use.
- Remove old numbers and addresses you no longer control.
- Do the same for your main social media accounts, and save any backup codes somewhere \
safe.""",
    ),
)

ADVICE = {advice.key: advice for advice in _ADVICE}


def footprint_advice(answers: Mapping[str, str]) -> FootprintAdvice:
    """The advice that applies to `answers` (question key: option value), in question order,
    each piece once, and what the person already does. Unknown keys and values are ignored."""
    result = FootprintAdvice()
    for question in QUESTIONS:
        option = question.option(answers.get(question.key, ""))
        if option is None:
            continue
        if option.advice and ADVICE[option.advice] not in result.to_do:
            result.to_do.append(ADVICE[option.advice])
        if option.doing:
            result.doing.append(option.doing)
    return result


def footprint_answer_rows(
    answers: Mapping[str, str],
) -> list[tuple[FootprintQuestion, FootprintOption]]:
    """The saved answers as (question, chosen option) pairs, for a summary list."""
    rows = []
    for question in QUESTIONS:
        option = question.option(answers.get(question.key, ""))
        if option is not None:
            rows.append((question, option))
    return rows


def _clean(answers: Mapping[str, str]) -> dict[str, str]:
    unanswered = [q.error for q in QUESTIONS if q.option(answers.get(q.key, "")) is None]
    if unanswered:
        raise ValidationError(unanswered)
    return {q.key: answers[q.key] for q in QUESTIONS}


@transaction.atomic
def footprint_check_record(
    *, actor: User, answers: Mapping[str, str], save_answers: bool
) -> FootprintCheck:
    """Record that `actor` completed the self-check. Only the time is kept, unless
    `save_answers`: then their answers are kept too, in place of any they saved before.

    Raises ValidationError, naming each question, when an answer is missing or not one of
    its options.
    """
    cleaned = _clean(answers)
    if save_answers:
        # One set of saved answers: the newest. Earlier completions are kept, without answers.
        FootprintCheck.objects.filter(person=actor, saved_answers__isnull=False).update(
            saved_answers=None
        )
    return FootprintCheck.objects.create(
        person=actor,
        completed_at=timezone.now(),
        saved_answers=cleaned if save_answers else None,
    )


@transaction.atomic
def footprint_answers_delete(*, actor: User) -> int:
    """Delete every answer `actor` saved; keep the fact that they completed the check.
    Returns how many completions held answers (0 when there were none: nothing to do)."""
    return FootprintCheck.objects.filter(person=actor, saved_answers__isnull=False).update(
        saved_answers=None
    )

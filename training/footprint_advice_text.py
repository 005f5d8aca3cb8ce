"""The digital-footprint self-check's advice: what a person could do next, keyed by
`FootprintOption.advice` (training.footprint_checklist). Data only; each body is markdown,
rendered with training.markdown.render_markdown."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Advice:
    key: str
    title: str
    body: str  # markdown, rendered with training.markdown.render_markdown


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

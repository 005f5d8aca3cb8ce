"""Version 1 of the national harms taxonomy and the platform list.

Plain English, describing what happened to the person, never an offence: triage records any
crime or offence crosswalk separately. Later versions are changed as data (admin or import),
raising `version` on the entries that change and retiring rather than deleting old ones.
"""

from django.db import migrations

CATEGORIES = [
    # slug, name, hint, asks which protected characteristic
    ("abuse", "Abuse and insults", "Offensive, hurtful or degrading messages or comments.", False),
    (
        "harassment",
        "Harassment and unwanted contact",
        "Repeated messages, calls or contact you do not want.",
        False,
    ),
    (
        "threats",
        "Threats to you or your family",
        "Someone said they would hurt you, your family or your property.",
        False,
    ),
    (
        "doxxing",
        "Doxxing or malicious identification",
        "Your address, family, car or workplace shared to expose or target you.",
        False,
    ),
    (
        "impersonation",
        "Impersonation and fake accounts",
        "Someone pretending to be you, or using your name or photos.",
        False,
    ),
    (
        "image-based-abuse",
        "Image-based abuse",
        "Intimate images shared or threatened, deepfakes, or sextortion.",
        False,
    ),
    (
        "pile-ons",
        "Filming, pile-ons and “trial by social media”",
        "Being filmed and posted, or many people targeting you at once.",
        False,
    ),
    (
        "hate",
        "Hate",
        "Targeted because of who you are, such as your race, religion, sexuality or disability.",
        True,
    ),
    (
        "stalking",
        "Stalking and tracking",
        "Someone following, watching or tracking you, online or offline.",
        False,
    ),
    (
        "family-targeting",
        "Targeting of family or children",
        "Your partner, children or relatives contacted, named or targeted.",
        False,
    ),
    (
        "account-compromise",
        "Account compromise, hacking and scams",
        "Your accounts broken into, or scams aimed at you because of your role.",
        False,
    ),
    (
        "disinformation",
        "Disinformation and defamation",
        "False things said about you to damage your reputation.",
        False,
    ),
    ("other", "Something else", "Anything that does not fit the options above.", False),
]

PLATFORMS = [
    ("x", "X (formerly Twitter)", ""),
    ("facebook", "Facebook", "Including Messenger and Facebook groups."),
    ("instagram", "Instagram", ""),
    ("tiktok", "TikTok", ""),
    ("youtube", "YouTube", ""),
    ("snapchat", "Snapchat", ""),
    ("whatsapp", "WhatsApp", ""),
    ("telegram", "Telegram", ""),
    ("reddit", "Reddit", ""),
    ("forums-websites", "Forums or websites", "Including comment sections and blogs."),
    ("email", "Email", ""),
    ("gaming", "Gaming", "Online games, gaming chat or streaming sites."),
    ("dating-apps", "Dating apps", ""),
    ("other", "Somewhere else", ""),
]


def seed(apps, schema_editor):
    HarmCategory = apps.get_model("reports", "HarmCategory")
    Platform = apps.get_model("reports", "Platform")
    for order, (slug, name, hint, asks) in enumerate(CATEGORIES, start=1):
        HarmCategory.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": hint,
                "asks_characteristic": asks,
                "version": 1,
                "sort_order": order * 10,
            },
        )
    for order, (slug, name, hint) in enumerate(PLATFORMS, start=1):
        Platform.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "description": hint, "version": 1, "sort_order": order * 10},
        )


def unseed(apps, schema_editor):
    apps.get_model("reports", "HarmCategory").objects.filter(
        slug__in=[row[0] for row in CATEGORIES]
    ).delete()
    apps.get_model("reports", "Platform").objects.filter(
        slug__in=[row[0] for row in PLATFORMS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]

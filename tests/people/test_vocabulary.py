"""The names the apps share are defined once, and the copies that read them agree."""

from __future__ import annotations

from harmsportal.people.forms import ABOUT_YOU_QUESTIONS, AboutYouForm
from harmsportal.people.models import DEMOGRAPHIC_FIELDS, Demographic, User


def test_every_demographic_field_is_a_voluntary_question_on_the_user():
    for name in DEMOGRAPHIC_FIELDS:
        field = User._meta.get_field(name)
        assert field.blank, name
        assert Demographic.PREFER_NOT in field.choices, name


def test_the_about_you_form_asks_exactly_the_demographic_fields_in_order():
    assert set(ABOUT_YOU_QUESTIONS) == set(DEMOGRAPHIC_FIELDS)
    assert list(AboutYouForm(user=User()).fields) == list(DEMOGRAPHIC_FIELDS)


def test_no_other_user_field_offers_prefer_not_to_say():
    voluntary = {
        field.name
        for field in User._meta.get_fields()
        if Demographic.PREFER_NOT in (getattr(field, "choices", None) or ())
    }
    assert voluntary == set(DEMOGRAPHIC_FIELDS)

"""Who is told about a referral: the force's champions who may see it, and nobody else."""

from __future__ import annotations

import pytest

from harmsportal.people.models import User
from tests.factories import link_family, make_person
from tests.wellbeing.factories import SelfReferralFactory, champion_in
from wellbeing.selectors import champions_of, referrals_for_champion
from wellbeing.services._shared import tell_champions

pytestmark = pytest.mark.django_db


def test_a_champion_linked_to_the_person_as_family_is_neither_told_nor_shown_the_referral():
    colleague = champion_in(full_name="Col League")
    family_champion = champion_in(full_name="Fam Champion")
    family = make_person(kind=User.Kind.FAMILY)
    link_family(family_champion, family)
    referral = SelfReferralFactory(person=family)

    assert list(champions_of(referral.force, referral=referral)) == [colleague]
    assert not referrals_for_champion(family_champion).filter(pk=referral.pk).exists()
    assert tell_champions(referral, title="New referral") == 1

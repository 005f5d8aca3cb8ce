"""Every champion page that shows a referral records the read, the form pages included."""

from __future__ import annotations

import pytest
from django.urls import reverse

from harmsportal.audit.models import AccessLog
from tests.wellbeing.factories import AssignedReferralFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("route", ["assign", "choose_service", "close", "step_aside"])
def test_opening_a_form_page_about_a_referral_is_a_recorded_read(client, champion, route):
    referral = AssignedReferralFactory(champion=champion)
    client.force_login(champion)

    response = client.get(reverse(f"wellbeing:{route}", args=[referral.public_id]))

    assert response.status_code == 200
    assert referral.reference in response.content.decode()
    read = AccessLog.objects.get(
        actor=champion, object_type="wellbeing.referral", object_id=str(referral.pk)
    )
    assert (read.action, read.actor_role) == (AccessLog.Action.READ, "champion")
    # From a case: the report's "Who has seen your report" lists it too.
    assert AccessLog.objects.filter(
        actor=champion,
        object_type="reports.report",
        reason=f"Through wellbeing referral {referral.reference}",
    ).exists()


def test_a_form_page_posted_with_an_error_is_a_recorded_read_too(client, champion):
    referral = AssignedReferralFactory(champion=champion)
    client.force_login(champion)

    response = client.post(reverse("wellbeing:step_aside", args=[referral.public_id]), {})

    assert response.status_code == 200
    assert AccessLog.objects.filter(actor=champion, object_type="wellbeing.referral").count() == 1

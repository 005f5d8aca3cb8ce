"""What every wellbeing page shares: the way back to the person's own referral page."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect

from wellbeing.models import Referral


def to_mine(referral: Referral) -> HttpResponse:
    """Back to the person's own page for this referral."""
    return redirect("wellbeing:mine_referral", pk=referral.public_id)

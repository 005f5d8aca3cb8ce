"""Wellbeing forms: validation and cleaning only."""

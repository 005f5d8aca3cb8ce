"""Wellbeing forms: validation and cleaning only."""


def too_long(what: str, limit: int) -> dict[str, str]:
    """A GOV.UK "too long" message naming the field, for `error_messages`:
    too_long("Your note", 5000) says: Your note must be 5,000 characters or fewer."""
    return {"max_length": f"{what} must be {limit:,} characters or fewer."}

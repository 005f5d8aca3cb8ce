"""Training forms: validation and cleaning only; the services decide."""


def too_long(what: str, limit: int) -> dict[str, str]:
    """A GOV.UK "too long" message naming the field, for `error_messages`:
    too_long("What would make it better", 2000) says: What would make it better must be 2,000
    characters or fewer."""
    return {"max_length": f"{what} must be {limit:,} characters or fewer."}

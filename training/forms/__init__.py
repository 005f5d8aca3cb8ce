"""Training forms: validation and cleaning only."""

"""Upload jobs: a persisted state machine, one row per file."""

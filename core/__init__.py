"""The shared ground every app stands on: the append-only audit trail, the error types that
services raise, and the events by which a lower layer tells higher ones what happened.

It imports no other app of the project (checked by import-linter, see pyproject.toml)."""

"""Kit maintenance tools: release, template sync (run by nox sessions)."""

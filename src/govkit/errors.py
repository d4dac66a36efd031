"""Errors govkit reports to a person as one line."""


class UsageError(Exception):
    """Bad input from the user (unreadable file, unknown id): exit code 2, one line."""

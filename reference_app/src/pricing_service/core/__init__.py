"""Shared plumbing every domain uses: settings, database, errors (problem+json) and time.

The template's service skeleton is generated from this package (``nox -s template_sync``), so a
fix here reaches every stamped service through ``copier update``. It imports nothing outside
itself.
"""

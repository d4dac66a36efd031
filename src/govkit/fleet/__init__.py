"""``govkit fleet``: audit many repositories at once, index them, and keep earlier runs for trends.

A fleet folder holds one audit JSON per repository (``<name>.json``, the audit's own format),
``index.json`` (``index.schema.json``: scores, failing checks by family, when each was audited, and
the repositories that could not be audited with their reason) and ``history/``, one copy of every
index written there, which the report reads for its trends.
"""

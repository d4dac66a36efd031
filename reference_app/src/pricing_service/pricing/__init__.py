"""Products, guarded price updates with history, optimistic concurrency and idempotent bulk updates.

The rules are written down in policies/pricing.md.
"""

"""The reference service run the way staging runs it: ``python -m staging.smoke``."""

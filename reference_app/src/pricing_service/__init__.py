"""The reference pricing service."""

__version__ = "0.1.0"

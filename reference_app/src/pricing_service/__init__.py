"""The reference pricing service."""

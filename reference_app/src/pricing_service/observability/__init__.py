"""Request correlation, structured logs and metrics."""

"""govkit sub-commands, one module each."""

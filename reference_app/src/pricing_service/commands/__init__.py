"""pricing-service sub-commands, one module each."""

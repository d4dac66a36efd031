"""pricing-service sub-commands, one module each (``cli.COMMANDS`` lists them)."""


class CommandError(Exception):
    """A command cannot do what was asked; the message is one line for the person."""

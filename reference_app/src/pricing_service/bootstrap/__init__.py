"""Application assembly, one concern per module; main.create_app composes them."""

"""Exceptions that carry a user-facing message (the CLI prints them on one line, exit code 2)."""


class BeamdumpInputError(ValueError):
    """Bad user input: the message names the field and the allowed values."""


class CacheError(RuntimeError):
    """A cache file is missing, stale or damaged (callers regenerate it)."""

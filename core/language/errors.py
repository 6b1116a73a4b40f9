"""The one error type a user ever sees: a message key, its parameters, and the verb for usage."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a refused action. Rendered as one short message in the member's language."""

    def __init__(self, key: str, *, verb: str | None = None, suggestion: str | None = None,
                 hint: str | None = None, **params: object):
        super().__init__(key)
        self.key = key
        self.verb = verb
        self.suggestion = suggestion  # shown as "Did you mean …?"
        self.hint = hint  # an extra message key (e.g. the list of stages)
        self.params = params


class ParseError(UserError):
    """The message could not be read as a command."""

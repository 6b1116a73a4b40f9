"""The console: a real adapter over stdin/stdout, for trying dealbot and for end-to-end tests."""

from adapters.console.adapter import ConsoleAdapter

__all__ = ["ConsoleAdapter"]

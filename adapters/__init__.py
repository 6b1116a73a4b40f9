"""Chat platforms. Every platform has the same shape: translate (platform event -> Incoming),
render (Reply -> platform message), adapter (wiring and transport) and, where it can push,
a notifier. Adapters import core, never storage."""

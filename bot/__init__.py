"""The composition root: settings, wiring, the CLI and the running process."""

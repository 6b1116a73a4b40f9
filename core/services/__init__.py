"""Use cases: one function per command, each run inside one unit of work by core.app.dealbot."""

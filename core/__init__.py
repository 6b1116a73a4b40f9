"""The domain of dealbot: pure Python, no I/O. See DESIGN.md §1 and §3."""

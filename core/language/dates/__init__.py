"""Dates as people write them: in chat text (text), by Chinese rules (zh), as option values (values)."""

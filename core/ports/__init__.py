"""Ports: the protocols the core needs from outside, grouped by the code that uses them."""

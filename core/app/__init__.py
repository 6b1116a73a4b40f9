"""The front door: one message in, one reply out (Dealbot), in one unit of work."""

"""What crosses the core's boundary: chat messages in and replies out, and the context of a call."""

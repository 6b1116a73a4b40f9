"""Captured group chats: capture, next steps and suggestions, response times, privacy, erasure."""

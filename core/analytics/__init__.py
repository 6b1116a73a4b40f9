"""Pipeline analytics (docs/design-notes.md): what the figures are, how they are rounded, the win-probability
model, and a plain-Python reference of every SQL aggregate (storage/analytics.py must agree with it)."""

"""Pipeline analytics (DESIGN.md §5): what the figures are, how they are rounded, the win-probability
model, and a plain-Python reference of every SQL aggregate (storage/analytics.py must agree with it)."""

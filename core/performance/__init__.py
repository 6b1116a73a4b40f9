"""Team performance: targets and their pace (points and the health board come later)."""

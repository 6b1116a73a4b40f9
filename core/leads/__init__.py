"""Leads (issue 18): intake, the duplicate check, assignment rules, offers and the team's pool."""

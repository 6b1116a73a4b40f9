"""Approval flows (issue 20): the team's policies and the state machine of one approval, pure."""

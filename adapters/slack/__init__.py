"""Slack: slack-bolt (async) over Socket Mode or HTTP, Block Kit replies, a Web API notifier."""

from adapters.slack.adapter import SlackAdapter, SlackConfig
from adapters.slack.notifier import SlackNotifier

__all__ = ["SlackAdapter", "SlackConfig", "SlackNotifier"]

"""DingTalk: an internal app's robot in Stream mode (docs/dingtalk.md), with the robot OpenAPI
for proactive messages."""

from adapters.dingtalk.adapter import DingTalkAdapter, DingTalkConfig
from adapters.dingtalk.notifier import DingTalkNotifier, DingTalkSendError

__all__ = ["DingTalkAdapter", "DingTalkConfig", "DingTalkNotifier", "DingTalkSendError"]

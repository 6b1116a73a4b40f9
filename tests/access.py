"""Letting test users in, now that a first message no longer makes anyone a member.

`let_in` does what a person and an admin do: the account writes to the bot (an access request)
and the console admin `boss` approves it; the welcome message counts as sent. `trust` is DEALBOT_SELF_SERVICE: everyone of that Slack
workspace or DingTalk corp becomes a rep on their first message.
"""

from __future__ import annotations

import dataclasses
import itertools

from core.chat.messages import Incoming

_IDS = itertools.count(1)


def let_in(wired, platform: str, user_id: str, name: str = "", *, role: str = "rep", team: str = "sales") -> str:
    """The member's handle (made from `name`, as on the platform)."""
    wired.bot.handle(Incoming(platform=platform, user_id=user_id, user_name=name or user_id, text="hi",
                              message_id=f"ask-{next(_IDS)}"))
    with wired.bot.uow_factory() as uow:
        request = uow.access.request_for(platform, user_id)
        code, handle = request.code, request.handle
    reply = wired.bot.handle(Incoming(platform="console", user_id="boss", user_name="boss",
                                      text=f"member approve {code} role:{role} team:{team}",
                                      message_id=f"approve-{next(_IDS)}"))
    assert not reply.is_error, reply.title
    with wired.bot.uow_factory() as uow:  # the welcome DM went out long ago: dispatchers skip it
        for message in uow.outbox.list():
            if message.dedupe_key == f"access:{code}:welcome":
                uow.outbox.mark_sent(message.id, at=wired.bot.clock.now(), platform_message_id=None)
        uow.commit()
    return handle


def trust(wired, platform: str, org: str) -> None:
    defaults = wired.bot.defaults
    wired.bot.defaults = dataclasses.replace(defaults, self_service=defaults.self_service | {(platform, org)})

"""Console lines in: `[@user] [#chat] text` becomes an Incoming."""

from __future__ import annotations

import re

from core.chat.messages import Incoming

PLATFORM = "console"
_PREFIX = re.compile(r"^(?:@(?P<user>[\w.\-]{1,64})(?:\s+|$))?(?:#(?P<chat>[\w.\-]{1,64})(?:\s+|$))?")


def incoming_from_line(line: str, *, local_user: str, number: int) -> Incoming:
    """`@alice #acme-deal link D-3`: alice says "link D-3" in chat acme-deal. No @: the local user."""
    m = _PREFIX.match(line)
    user = m["user"] or local_user
    chat = m["chat"] or ""
    return Incoming(
        platform=PLATFORM, user_id=user, user_name=user, text=line[m.end():],
        chat_id=chat or f"dm:{user}", message_id=str(number), is_direct=not chat,
    )

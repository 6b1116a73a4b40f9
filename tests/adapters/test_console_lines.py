"""The console's piped lines: `[@user] [#chat] text` (README, "Piped input")."""

from __future__ import annotations

import pytest

from adapters.console.translate import incoming_from_line


@pytest.mark.parametrize(("line", "user", "chat", "text"), [
    ("@alice new Acme 5k", "alice", "dm:alice", "new Acme 5k"),
    ("@alice #acme-deal link D-3", "alice", "acme-deal", "link D-3"),
    ("new Acme", "me", "dm:me", "new Acme"),
    # The new-user trial: a line with nothing after the user was the command “@alice”
    ("@alice", "alice", "dm:alice", ""),
    ("@alice #acme-deal", "alice", "acme-deal", ""),
])
def test_a_line_names_who_says_it_and_where(line, user, chat, text):
    incoming = incoming_from_line(line, local_user="me", number=1)
    assert (incoming.user_id, incoming.chat_id, incoming.text) == (user, chat, text)

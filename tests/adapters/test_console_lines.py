"""The console's piped lines: `[@user] [#chat] text` (README, "Piped input")."""

from __future__ import annotations

import pytest

from adapters.console.translate import incoming_from_line

# line → who says it, where, what
LINES = {
    "@alice new Acme 5k": ("alice", "dm:alice", "new Acme 5k"),
    "@alice #acme-deal link D-3": ("alice", "acme-deal", "link D-3"),
    "new Acme": ("me", "dm:me", "new Acme"),
    # The new-user trial: a line with nothing after the user was the command “@alice”
    "@alice": ("alice", "dm:alice", ""),
    "@alice #acme-deal": ("alice", "acme-deal", ""),
}


@pytest.mark.parametrize("line", LINES)
def test_a_line_names_who_says_it_and_where(line):
    incoming = incoming_from_line(line, local_user="me", number=1)
    assert (incoming.user_id, incoming.chat_id, incoming.text) == LINES[line]

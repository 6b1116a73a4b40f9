"""Deal news (issue 17): chats subscribed to a team's deal events, and the DMs of handed work."""

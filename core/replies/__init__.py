"""What the bot says: the deal card and list lines, proactive notices, a deal's history in words."""

"""The core of dealbot: pure Python, no I/O (docs/architecture.md is the map).

- app: the front door (Dealbot: one message in, one reply out, in one unit of work)
- chat: what crosses the boundary: Incoming, Reply, buttons; the Context of a call
- domain: deals, pipelines, money, working time, the calendar, invite codes
- language: verbs, parser, commands, every sentence (i18n), dates, periods
- access: the door (access requests, invites), account linking, permissions, the audit log
- services: the use cases, one function per command
- replies: the deal card, list lines, proactive notices, a deal's history in words
- reminders: when reminders are due, the scheduler's scans, recipients, the outbox
- conversations: captured group chats, next steps and suggestions, response times, privacy
- analytics: the figures (scorecard, funnel, forecast) and the win probability
- files: deals and customers as spreadsheet rows, a pipeline as TOML
- ports: the protocols storage and bot fill in, grouped by the code that uses them
"""

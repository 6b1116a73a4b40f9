"""Local fakes of the chat platforms' servers, for driving the real SDKs against them: Slack
(Web API, Socket Mode, response URLs, uploads), Telegram (Bot API, long polling), DingTalk
(Stream gateway, OAuth, robot API), and one that enforces the platforms' sending limits. Each is
a FakeServer (server.py): an aiohttp app on 127.0.0.1 and a free port, recorded request by request.
"""

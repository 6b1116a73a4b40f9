"""`dealbot doctor`: what an operator checks before (and after) starting dealbot, one line each,
with what to fix. Exit code 0 when nothing needs fixing, 2 otherwise (warnings alone pass).

Checks: the settings load; the pipeline file reads; the database answers and its schema is the
one this version needs; each configured platform accepts its credentials (a harmless call:
Slack auth.test, Telegram getMe, DingTalk's access token); a CJK font for Chinese chart labels;
the clock (the database server's against this machine's) and the time zone; the metrics and
HTTP settings that would expose something. Nothing is written anywhere.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

OK, WARN, FAIL = "ok", "warn", "FAIL"
TIMEOUT = 10.0
CLOCK_SKEW_SECONDS = 5.0


@dataclass(frozen=True)
class Finding:
    level: str
    topic: str
    said: str

    def line(self) -> str:
        return f"{self.level:<4}  {self.topic}: {self.said}"


def doctor(make_settings: Callable, out: TextIO) -> int:
    findings = list(diagnose(make_settings))
    for finding in findings:
        print(finding.line(), file=out, flush=True)
    failed = sum(f.level == FAIL for f in findings)
    warned = sum(f.level == WARN for f in findings)
    print(f"{failed} to fix, {warned} to look at" if failed or warned else "all good", file=out)
    return 2 if failed else 0


def diagnose(make_settings: Callable):
    from bot.cli_errors import explain

    try:
        settings = make_settings()
    except Exception as error:  # a setting pydantic or our validators refuse
        explained = explain(error)
        yield Finding(FAIL, "settings", explained[0] if explained else str(error))
        return
    yield Finding(OK, "settings", "read from the environment and .env")
    yield from _pipeline(settings)
    engine_findings, server_now = _database(settings)
    yield from engine_findings
    yield from _clock(settings, server_now)
    yield from _platforms(settings)
    yield from _font()
    yield from _exposure(settings)


def _pipeline(settings):
    if settings.pipeline_file is None:
        return
    from bot.bootstrap import load_pipeline
    from bot.config import ConfigError

    try:
        load_pipeline(settings)
    except ConfigError as error:
        yield Finding(FAIL, "pipeline", str(error))
    else:
        yield Finding(OK, "pipeline", f"{settings.pipeline_file} reads")


def _database(settings) -> tuple[list[Finding], datetime | None]:
    from sqlalchemy import text

    from storage.db import make_engine
    from storage.migrate import current, head, known_revisions

    label = settings.database_label()
    if settings.is_sqlite and label != ":memory:" and not Path(label).exists():  # connecting would create it
        return [Finding(OK, "database", f"{label} does not exist yet: dealbot creates it on first start")], None
    engine = make_engine(settings.database_url, **({} if settings.is_sqlite else
                                                   {"connect_args": {"connect_timeout": int(TIMEOUT)}}))
    try:
        with engine.connect() as connection:
            server_now = None if settings.is_sqlite else connection.execute(text("SELECT now()")).scalar()
        at = current(engine)
    except Exception as error:
        return [Finding(FAIL, "database", f"{label} does not answer ({_first_line(error)}): check "
                        "DEALBOT_DATABASE_URL, the server, the network and the password")], None
    finally:
        engine.dispose()
    found = [Finding(OK, "database", f"{label} answers")]
    newest = head()
    if at == newest:
        found.append(Finding(OK, "schema", f"at {at}, the one this dealbot needs"))
    elif at is not None and at not in known_revisions():
        found.append(Finding(FAIL, "schema", f"at {at}, newer than this dealbot ({newest}): run the dealbot "
                             "version that migrated it"))
    elif settings.is_sqlite:
        found.append(Finding(OK, "schema", f"at {at or 'none'}; the embedded database is migrated to "
                             f"{newest} when dealbot starts"))
    else:
        found.append(Finding(FAIL, "schema", f"at {at or 'none'}, this dealbot needs {newest}: run `dealbot migrate`"))
    return found, server_now


def _clock(settings, server_now: datetime | None):
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        yield Finding(FAIL, "time zone", f"DEALBOT_TIMEZONE={settings.timezone!r} is no IANA time zone "
                      "(e.g. Asia/Shanghai, Europe/Berlin)")
    else:
        local = datetime.now(ZoneInfo(settings.timezone))
        yield Finding(OK, "time zone", f"{settings.timezone}: it is {local:%Y-%m-%d %H:%M} there")
    if settings.fixed_now is not None:
        yield Finding(WARN, "clock", f"frozen at {settings.fixed_now.isoformat()} by DEALBOT_FIXED_NOW "
                      "(for demos and tests): unset it in production")
    if server_now is not None:
        skew = (datetime.now(UTC) - server_now).total_seconds()
        if abs(skew) > CLOCK_SKEW_SECONDS:
            yield Finding(WARN, "clock", f"this machine's clock is {skew:+.0f}s off the database server's: "
                          "run NTP (chrony, systemd-timesyncd) on both; reminders and leases use both")
        else:
            yield Finding(OK, "clock", f"within {abs(skew):.1f}s of the database server's")


def _platforms(settings):
    from bot.platforms import REQUIRED

    checks = []
    if settings.slack_bot_token:
        checks.append(("slack", _slack))
    if settings.telegram_bot_token:
        checks.append(("telegram", _telegram))
    if settings.dingtalk_client_id or settings.dingtalk_client_secret:
        checks.append(("dingtalk", _dingtalk))
    if not checks:
        needs = "; ".join(f"{platform}: {what}" for platform, what in REQUIRED.items())
        yield Finding(WARN, "platforms", "none configured: `dealbot run` serves only the HTTP server (REST API, "
                      f"lead intake); no chat messages or deal news. For chat set one of {needs}")
        return
    import httpx

    with httpx.Client(timeout=TIMEOUT) as client:
        for platform, check in checks:
            started = time.perf_counter()
            try:
                level, said = check(settings, client)
            except httpx.HTTPError as error:
                level, said = FAIL, f"cannot reach the API ({_first_line(error) or type(error).__name__}): " \
                                    "check the network, a proxy (HTTPS_PROXY) and the API URL setting"
            yield Finding(level, platform, f"{said} ({(time.perf_counter() - started) * 1000:.0f} ms)")


def _slack(settings, client) -> tuple[str, str]:
    if not (settings.slack_app_token or settings.slack_signing_secret):
        return FAIL, "SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP)"
    answer = client.post(f"{settings.slack_api_url.rstrip('/')}/auth.test",
                         headers={"Authorization": f"Bearer {settings.slack_bot_token}"}).json()
    if not answer.get("ok"):
        return FAIL, f"auth.test refused the bot token ({answer.get('error')}): copy SLACK_BOT_TOKEN " \
                     "(xoxb-…) again from the app's OAuth & Permissions page"
    mode = "Socket Mode" if settings.slack_app_token else "HTTP mode"
    return OK, f"bot token works (workspace {answer.get('team_id')}, bot user {answer.get('user_id')}), {mode}"


def _telegram(settings, client) -> tuple[str, str]:
    answer = client.get(f"{settings.telegram_api_url.rstrip('/')}/bot{settings.telegram_bot_token}/getMe")
    body = answer.json()
    if answer.status_code != 200 or not body.get("ok"):
        return FAIL, f"getMe refused the token ({answer.status_code} {body.get('description', '')}): " \
                     "check TELEGRAM_BOT_TOKEN with @BotFather (/token)"
    bot = body["result"]
    said = f"token works (@{bot.get('username')})"
    if settings.telegram_webhook_url and not settings.telegram_webhook_url.startswith("https://"):
        return WARN, said + "; TELEGRAM_WEBHOOK_URL must be https:// for Telegram to call it"
    return OK, said


def _dingtalk(settings, client) -> tuple[str, str]:
    if not (settings.dingtalk_client_id and settings.dingtalk_client_secret):
        return FAIL, "DingTalk needs both DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET"
    answer = client.post(f"{settings.dingtalk_api_url.rstrip('/')}/v1.0/oauth2/accessToken",
                         json={"appKey": settings.dingtalk_client_id, "appSecret": settings.dingtalk_client_secret})
    body = answer.json()
    if answer.status_code != 200 or "accessToken" not in body:
        return FAIL, f"the access token was refused ({answer.status_code} {body.get('code', '')}): check " \
                     "DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET (the app's Client ID / Client Secret)"
    return OK, "client id and secret work (an access token was issued)"


def _font():
    from bot.charts import cjk_font

    family = cjk_font()
    if family:
        yield Finding(OK, "CJK font", f"{family}: charts get Chinese labels")
    else:
        yield Finding(WARN, "CJK font", "none installed: charts in Chinese are drawn with English labels; "
                      "pip install 'dealbot[zh-charts]' or apt-get install fonts-noto-cjk")


def _exposure(settings):
    public = settings.metrics_host not in ("127.0.0.1", "localhost", "::1")
    if settings.metrics_port is not None and public and not settings.metrics_token:
        yield Finding(WARN, "metrics", f"/metrics listens on {settings.metrics_host}:{settings.metrics_port} "
                      "without a token: set DEALBOT_METRICS_TOKEN or keep the port off the public network")
    elif settings.metrics_enabled:
        where = f"port {settings.metrics_port}" if settings.metrics_port else "the main HTTP server"
        yield Finding(OK, "metrics", f"/metrics on {where}" + (", token required" if settings.metrics_token else ""))
    if settings.slack_signing_secret and not settings.slack_app_token and settings.http_host == "127.0.0.1":
        yield Finding(WARN, "http", "Slack HTTP mode, but DEALBOT_HTTP_HOST is 127.0.0.1: Slack reaches it only "
                      "through a reverse proxy on this machine (docs/deploy.md)")


def _first_line(error: BaseException) -> str:
    from core.app.failures import one_line

    return one_line(getattr(error, "orig", None) or error)

"""Settings: the one place that reads the environment (and .env). Every name is in .env.example."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _env(name: str) -> AliasChoices:
    return AliasChoices(name)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field("sqlite:///data/dealbot.db", validation_alias=_env("DEALBOT_DATABASE_URL"))
    timezone: str = Field("Asia/Shanghai", validation_alias=_env("DEALBOT_TIMEZONE"))
    language: str = Field("en", validation_alias=_env("DEALBOT_LANGUAGE"))
    team: str = Field("sales", validation_alias=_env("DEALBOT_TEAM"))
    currency: str = Field("CNY", validation_alias=_env("DEALBOT_CURRENCY"))
    admins: str = Field("", validation_alias=_env("DEALBOT_ADMINS"))
    pipeline_file: Path | None = Field(None, validation_alias=_env("DEALBOT_PIPELINE_FILE"))
    console_user: str = Field("me", validation_alias=_env("DEALBOT_CONSOLE_USER"))
    log_file: Path = Field(Path("data/dealbot.log"), validation_alias=_env("DEALBOT_LOG_FILE"))
    log_level: str = Field("INFO", validation_alias=_env("DEALBOT_LOG_LEVEL"))
    fixed_now: datetime | None = Field(None, validation_alias=_env("DEALBOT_FIXED_NOW"))

    # The one HTTP server of `dealbot run`: Slack events, Telegram webhook, /healthz, /readyz.
    http_host: str = Field("127.0.0.1", validation_alias=_env("DEALBOT_HTTP_HOST"))
    http_port: int = Field(8080, validation_alias=_env("DEALBOT_HTTP_PORT"))

    # Reminders and digests (`dealbot run`): the scans (one replica at a time: a PostgreSQL
    # advisory lock picks it) and the outbox dispatcher (every replica).
    scheduler: bool = Field(True, validation_alias=_env("DEALBOT_SCHEDULER"))
    scan_seconds: float = Field(60.0, gt=0, validation_alias=_env("DEALBOT_SCAN_SECONDS"))
    leader_check_seconds: float = Field(15.0, gt=0, validation_alias=_env("DEALBOT_LEADER_CHECK_SECONDS"))
    dispatch: bool = Field(True, validation_alias=_env("DEALBOT_DISPATCH"))
    dispatch_batch: int = Field(100, gt=0, validation_alias=_env("DEALBOT_DISPATCH_BATCH"))
    dispatch_lease_seconds: int = Field(300, gt=0, validation_alias=_env("DEALBOT_DISPATCH_LEASE_SECONDS"))
    send_attempts: int = Field(5, gt=0, validation_alias=_env("DEALBOT_SEND_ATTEMPTS"))

    slack_bot_token: str = Field("", validation_alias=_env("SLACK_BOT_TOKEN"))
    slack_app_token: str = Field("", validation_alias=_env("SLACK_APP_TOKEN"))
    slack_signing_secret: str = Field("", validation_alias=_env("SLACK_SIGNING_SECRET"))
    slack_api_url: str = Field("https://slack.com/api/", validation_alias=_env("SLACK_API_URL"))

    telegram_bot_token: str = Field("", validation_alias=_env("TELEGRAM_BOT_TOKEN"))
    telegram_webhook_url: str = Field("", validation_alias=_env("TELEGRAM_WEBHOOK_URL"))
    telegram_webhook_secret: str = Field("", validation_alias=_env("TELEGRAM_WEBHOOK_SECRET"))
    telegram_api_url: str = Field("https://api.telegram.org", validation_alias=_env("TELEGRAM_API_URL"))

    dingtalk_client_id: str = Field("", validation_alias=_env("DINGTALK_CLIENT_ID"))
    dingtalk_client_secret: str = Field("", validation_alias=_env("DINGTALK_CLIENT_SECRET"))
    dingtalk_api_url: str = Field("https://api.dingtalk.com", validation_alias=_env("DINGTALK_API_URL"))

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in ("en", "zh"):
            raise ValueError("DEALBOT_LANGUAGE must be en or zh")
        return value

    @field_validator("fixed_now")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("DEALBOT_FIXED_NOW needs a UTC offset, e.g. 2026-03-04T10:00:00+08:00")
        return value

    def admin_identities(self) -> frozenset[tuple[str, str]]:
        """DEALBOT_ADMINS is a comma-separated list of platform:user_id."""
        pairs = set()
        for item in self.admins.split(","):
            platform, _, user_id = item.strip().partition(":")
            if platform and user_id:
                pairs.add((platform, user_id))
        return frozenset(pairs)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

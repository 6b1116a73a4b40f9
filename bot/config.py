"""Settings: the one place that reads the environment (and .env). Every name is in .env.example.

An empty value means "not set" everywhere (`cp .env.example .env` leaves many lines empty).
The embedded database and the log live in the data directory (DEALBOT_DATA_DIR, by default the
platform's per-user data folder from platformdirs), so `dealbot` finds the same data from any
current directory; DEALBOT_DATABASE_URL and DEALBOT_LOG_FILE still win when set.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from platformdirs import user_data_path
from pydantic import AliasChoices, Field, PrivateAttr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DATABASE_FILE = "dealbot.db"
LOG_FILE = "dealbot.log"
DEMO_FILE = "demo.db"


def default_data_dir() -> Path:
    """~/.local/share/dealbot on Linux (or $XDG_DATA_HOME/dealbot), ~/Library/Application
    Support/dealbot on macOS, %LOCALAPPDATA%\\dealbot on Windows."""
    return user_data_path("dealbot", appauthor=False)


class ConfigError(Exception):
    """A setting that cannot be used; the message names it and says why, in one sentence."""


def _env(name: str) -> AliasChoices:
    return AliasChoices(name)


# Platforms whose events name the sender's workspace or organisation; Telegram's do not.
SELF_SERVICE_PLATFORMS = ("slack", "dingtalk")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True,
                                      env_ignore_empty=True)

    data_dir: Path = Field(default_factory=default_data_dir, validation_alias=_env("DEALBOT_DATA_DIR"))
    # Empty: the embedded SQLite file in data_dir (filled in by _in_data_dir below).
    database_url: str = Field("", validation_alias=_env("DEALBOT_DATABASE_URL"))
    # `dealbot --demo …`: the demo's own database in data_dir instead, whatever the URL says.
    demo: bool = Field(False, validation_alias=_env("DEALBOT_DEMO"))
    _embedded: bool = PrivateAttr(False)  # set below: no DEALBOT_DATABASE_URL was given
    timezone: str = Field("Asia/Shanghai", validation_alias=_env("DEALBOT_TIMEZONE"))
    language: str = Field("en", validation_alias=_env("DEALBOT_LANGUAGE"))
    team: str = Field("sales", validation_alias=_env("DEALBOT_TEAM"))
    currency: str = Field("CNY", validation_alias=_env("DEALBOT_CURRENCY"))
    admins: str = Field("", validation_alias=_env("DEALBOT_ADMINS"))
    self_service: str = Field("", validation_alias=_env("DEALBOT_SELF_SERVICE"))
    pipeline_file: Path | None = Field(None, validation_alias=_env("DEALBOT_PIPELINE_FILE"))
    console_user: str = Field("me", validation_alias=_env("DEALBOT_CONSOLE_USER"))
    log_file: Path | None = Field(None, validation_alias=_env("DEALBOT_LOG_FILE"))  # None: in data_dir
    log_level: str = Field("INFO", validation_alias=_env("DEALBOT_LOG_LEVEL"))
    fixed_now: datetime | None = Field(None, validation_alias=_env("DEALBOT_FIXED_NOW"))

    # The one HTTP server of `dealbot run`: Slack events, Telegram webhook, /healthz, /readyz.
    http_host: str = Field("127.0.0.1", validation_alias=_env("DEALBOT_HTTP_HOST"))
    http_port: int = Field(8080, validation_alias=_env("DEALBOT_HTTP_PORT"))
    # The REST API on that server (/api/v1, docs/api.md): requests a minute per token, body size.
    api_rate_per_minute: int = Field(120, gt=0, validation_alias=_env("DEALBOT_API_RATE_PER_MINUTE"))
    api_max_body: int = Field(65536, gt=0, validation_alias=_env("DEALBOT_API_MAX_BODY"))
    # Outbound webhooks (`dealbot webhook`): how often due deliveries are sent; after how many days
    # of failing a subscription is paused (the admins are told in chat).
    webhook_poll_seconds: float = Field(1.0, gt=0, validation_alias=_env("DEALBOT_WEBHOOK_POLL_SECONDS"))
    webhook_pause_days: float = Field(3.0, gt=0, validation_alias=_env("DEALBOT_WEBHOOK_PAUSE_DAYS"))
    # Whether an API token may subscribe a URL on this machine or the private network (the CLI may).
    webhook_local: bool = Field(False, validation_alias=_env("DEALBOT_WEBHOOK_LOCAL"))

    # Reminders and digests (`dealbot run`): the scans (one replica at a time: a PostgreSQL
    # advisory lock picks it) and the outbox dispatcher (every replica).
    scheduler: bool = Field(True, validation_alias=_env("DEALBOT_SCHEDULER"))
    # `dealbot run` applies migrations before it starts (PostgreSQL: under the migration lock, so
    # replicas starting together migrate once). Off: PostgreSQL needs `dealbot migrate` first.
    migrate_on_start: bool = Field(False, validation_alias=_env("DEALBOT_MIGRATE_ON_START"))
    scan_seconds: float = Field(60.0, gt=0, validation_alias=_env("DEALBOT_SCAN_SECONDS"))
    leader_check_seconds: float = Field(15.0, gt=0, validation_alias=_env("DEALBOT_LEADER_CHECK_SECONDS"))
    dispatch: bool = Field(True, validation_alias=_env("DEALBOT_DISPATCH"))
    dispatch_batch: int = Field(100, gt=0, validation_alias=_env("DEALBOT_DISPATCH_BATCH"))
    dispatch_lease_seconds: int = Field(300, gt=0, validation_alias=_env("DEALBOT_DISPATCH_LEASE_SECONDS"))
    send_attempts: int = Field(5, gt=0, validation_alias=_env("DEALBOT_SEND_ATTEMPTS"))

    slack_bot_token: str = Field("", validation_alias=_env("SLACK_BOT_TOKEN"))
    slack_app_token: str = Field("", validation_alias=_env("SLACK_APP_TOKEN"))
    slack_signing_secret: str = Field("", validation_alias=_env("SLACK_SIGNING_SECRET"))
    # The slash command as named in the Slack app (its manifest says /deal); Slack allows one
    # name per app per workspace, so a second dealbot in a workspace needs another.
    slack_command: str = Field("/deal", pattern=r"^/[a-z0-9_-]{1,31}$", validation_alias=_env("SLACK_COMMAND"))
    slack_api_url: str = Field("https://slack.com/api/", validation_alias=_env("SLACK_API_URL"))

    telegram_bot_token: str = Field("", validation_alias=_env("TELEGRAM_BOT_TOKEN"))
    telegram_webhook_url: str = Field("", validation_alias=_env("TELEGRAM_WEBHOOK_URL"))
    telegram_webhook_secret: str = Field("", validation_alias=_env("TELEGRAM_WEBHOOK_SECRET"))
    telegram_api_url: str = Field("https://api.telegram.org", validation_alias=_env("TELEGRAM_API_URL"))

    dingtalk_client_id: str = Field("", validation_alias=_env("DINGTALK_CLIENT_ID"))
    dingtalk_client_secret: str = Field("", validation_alias=_env("DINGTALK_CLIENT_SECRET"))
    dingtalk_api_url: str = Field("https://api.dingtalk.com", validation_alias=_env("DINGTALK_API_URL"))
    # The older API host, where pictures are uploaded before a robot can send them (charts).
    dingtalk_oapi_url: str = Field("https://oapi.dingtalk.com", validation_alias=_env("DINGTALK_OAPI_URL"))

    # The log file's size and what it may hold (docs/security.md, "What is logged"). Rotation
    # needs at least one old file: with none, Python's handler would never rotate.
    log_max_bytes: int = Field(10_000_000, ge=10_000, validation_alias=_env("DEALBOT_LOG_MAX_BYTES"))
    log_backups: int = Field(5, ge=1, validation_alias=_env("DEALBOT_LOG_BACKUPS"))
    log_message_text: bool = Field(False, validation_alias=_env("DEALBOT_LOG_MESSAGE_TEXT"))
    # Every SQL statement in the log with its time, the driver fast path's too (storage/driver.py):
    # for debugging. Values stay hidden unless log_message_text is on.
    sql_log: bool = Field(False, validation_alias=_env("DEALBOT_SQL_LOG"))
    # text: one readable line per record; json: one JSON object per line (JSON lines) with the
    # request and event ids, for a log collector. DEALBOT_LOG_FILE=- writes to stderr (containers).
    log_format: str = Field("text", pattern=r"^(text|json)$", validation_alias=_env("DEALBOT_LOG_FORMAT"))

    # /metrics (Prometheus, bot/metrics.py): off unless one of these is set. A port: a listener of
    # its own on DEALBOT_METRICS_HOST, kept off the public HTTP server. A token: every scrape
    # must send `Authorization: Bearer <token>` (on the metrics port, or on the main server when
    # no port is set).
    metrics_port: int | None = Field(None, ge=1, le=65535, validation_alias=_env("DEALBOT_METRICS_PORT"))
    metrics_host: str = Field("127.0.0.1", validation_alias=_env("DEALBOT_METRICS_HOST"))
    metrics_token: str = Field("", validation_alias=_env("DEALBOT_METRICS_TOKEN"))

    @model_validator(mode="after")
    def _in_data_dir(self) -> Settings:
        self.data_dir = self.data_dir.expanduser()
        self._embedded = not self.database_url
        if self.demo:
            self.database_url = f"sqlite:///{self.demo_database}"
        elif self._embedded:
            self.database_url = f"sqlite:///{self.data_dir / DATABASE_FILE}"
        if self.log_file is None:
            self.log_file = self.data_dir / LOG_FILE
        return self

    @field_validator("metrics_token")
    @classmethod
    def _long_token(cls, value: str) -> str:
        if value and len(value) < 16:
            raise ValueError("DEALBOT_METRICS_TOKEN must be at least 16 characters (e.g. openssl rand -hex 16)")
        return value

    @property
    def metrics_enabled(self) -> bool:
        return self.metrics_port is not None or bool(self.metrics_token)

    @property
    def log_to_stderr(self) -> bool:
        """DEALBOT_LOG_FILE=-: the log goes to stderr (a container's or journald's collector)."""
        return str(self.log_file) == "-"

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

    @field_validator("self_service")
    @classmethod
    def _trustable(cls, value: str) -> str:
        for item in filter(None, (part.strip() for part in value.split(","))):
            platform, _, org = item.partition(":")
            if platform not in SELF_SERVICE_PLATFORMS or not org:
                raise ValueError(f"DEALBOT_SELF_SERVICE: {item!r} is not slack:<team id> or dingtalk:<corpId> "
                                 "(Telegram has no workspace to trust)")
        return value

    def self_service_orgs(self) -> frozenset[tuple[str, str]]:
        """DEALBOT_SELF_SERVICE: (platform, workspace or corp id) pairs whose people let themselves in."""
        pairs = (item.strip().partition(":") for item in self.self_service.split(","))
        return frozenset((platform, org) for platform, _, org in pairs if platform and org)

    def admin_identities(self) -> frozenset[tuple[str, str]]:
        """DEALBOT_ADMINS is a comma-separated list of platform:user_id."""
        pairs = set()
        for item in self.admins.split(","):
            platform, _, user_id = item.strip().partition(":")
            if platform and user_id:
                pairs.add((platform, user_id))
        return frozenset(pairs)

    @property
    def embedded(self) -> bool:
        """The database is the embedded one in data_dir (DEALBOT_DATABASE_URL was not given)."""
        return self._embedded

    @property
    def demo_database(self) -> Path:
        """`dealbot demo` loads here (afresh each time), so it never meets the user's own deals."""
        return self.data_dir / DEMO_FILE

    def database_label(self) -> str:
        """Where the data is, for the start-up line: the SQLite file, or the URL without its password."""
        from sqlalchemy.engine import make_url

        url = make_url(self.database_url)
        if url.get_backend_name() == "sqlite":
            return str(Path(url.database or ":memory:").expanduser())
        return url.render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

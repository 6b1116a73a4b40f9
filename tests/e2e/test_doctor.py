"""`dealbot doctor` as a process, against the three fake platforms and the test database: every
check passes with good settings; bad credentials, a schema behind or ahead, an unknown time zone
and an unreachable database are each named with what to fix (exit code 2), never a traceback."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa

from storage import migrate
from storage.db import make_engine
from tests.e2e.conftest import DEALBOT, dealbot_env
from tests.e2e.test_upgrades import PREVIOUS_RELEASE
from tests.platforms.dingtalk import FakeDingTalk
from tests.platforms.slack import FakeSlack
from tests.platforms.telegram import FakeTelegram

pytestmark = pytest.mark.slow

TELEGRAM_TOKEN = "123456:DOCTOR-token"


@pytest.fixture
async def fakes():
    slack = await FakeSlack().start()
    telegram = await FakeTelegram(TELEGRAM_TOKEN).start()
    dingtalk = FakeDingTalk()
    await dingtalk.start()
    yield slack, telegram, dingtalk
    await slack.close()
    await telegram.stop()
    await dingtalk.close()


def platform_env(slack: FakeSlack, telegram: FakeTelegram, dingtalk: FakeDingTalk) -> dict[str, str]:
    return {"SLACK_BOT_TOKEN": "xoxb-doctor", "SLACK_APP_TOKEN": "xapp-doctor", "SLACK_API_URL": slack.api_url,
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_API_URL": telegram.url,
            "DINGTALK_CLIENT_ID": dingtalk.client_id, "DINGTALK_CLIENT_SECRET": dingtalk.client_secret,
            "DINGTALK_API_URL": dingtalk.url}


async def doctor(database_url: str, tmp_path: Path, **env: str) -> tuple[int, dict[str, str], str]:
    process = await asyncio.create_subprocess_exec(
        str(DEALBOT), "doctor", env=dealbot_env(database_url, tmp_path, **env), cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(process.communicate(), 120)
    text = out.decode()
    assert "Traceback" not in text
    lines = {}
    for line in text.splitlines()[:-1]:
        level, _, rest = line.partition("  ")
        topic, _, said = rest.strip().partition(": ")
        lines.setdefault(topic, f"{level.strip()} {said}")  # the first line of a topic
    return process.returncode, lines, text


async def test_all_good(fakes, database_url, tmp_path: Path):
    code, lines, text = await doctor(database_url, tmp_path, **platform_env(*fakes),
                                     DEALBOT_METRICS_PORT="9100", DEALBOT_METRICS_TOKEN="0123456789abcdef0")
    assert code == 0, text
    assert text.splitlines()[-1] == "all good"
    assert lines["database"].startswith("ok ") and lines["schema"].startswith(f"ok at {migrate.head()}")
    assert lines["slack"].startswith("ok bot token works (workspace T1")
    assert lines["telegram"].startswith("ok token works (@")
    assert lines["dingtalk"].startswith("ok client id and secret work")
    assert lines["time zone"].startswith("ok Asia/Shanghai")
    assert lines["CJK font"].startswith("ok ")  # the dev extra installs Noto Sans CJK
    assert lines["metrics"] == "ok /metrics on port 9100, token required"
    slack, telegram, dingtalk = fakes
    assert [call.method for call in slack.calls] == ["auth.test"]  # harmless calls only
    assert [call.method for call in telegram.calls] == ["getMe"]
    assert len(dingtalk.token_requests) == 1


async def test_what_to_fix(fakes, database_url, tmp_path: Path):
    slack, telegram, dingtalk = fakes
    slack.revoked.add("xoxb-doctor")
    env = platform_env(*fakes) | {"TELEGRAM_BOT_TOKEN": "123456:WRONG", "DINGTALK_CLIENT_SECRET": "wrong",
                                  "DEALBOT_TIMEZONE": "Mars/Olympus", "DEALBOT_FIXED_NOW": "2026-03-04T10:00:00+08:00",
                                  "DEALBOT_METRICS_PORT": "9100", "DEALBOT_METRICS_HOST": "0.0.0.0"}
    code, lines, text = await doctor(database_url, tmp_path, **env)
    assert code == 2, text
    assert lines["slack"].startswith("FAIL auth.test refused the bot token (invalid_auth): copy SLACK_BOT_TOKEN")
    assert lines["telegram"].startswith("FAIL getMe refused the token (401 Unauthorized): check TELEGRAM_BOT_TOKEN")
    assert lines["dingtalk"].startswith("FAIL the access token was refused (400 invalidClientIdOrSecret)")
    assert lines["time zone"] == "FAIL DEALBOT_TIMEZONE='Mars/Olympus' is no IANA time zone (e.g. Asia/Shanghai, Europe/Berlin)"
    assert lines["clock"].startswith("warn frozen at 2026-03-04T10:00:00+08:00 by DEALBOT_FIXED_NOW")
    assert lines["metrics"].startswith("warn /metrics listens on 0.0.0.0:9100 without a token")
    assert text.splitlines()[-1] == "4 to fix, 2 to look at"
    assert "WRONG" not in text and "wrong" not in text  # no secret is printed


async def test_the_database(database_url, tmp_path: Path):
    code, lines, text = await doctor("postgresql+psycopg://nobody:secret@127.0.0.1:9/none", tmp_path)
    assert code == 2 and lines["database"].startswith("FAIL postgresql+psycopg://nobody:***@127.0.0.1:9/none "
                                                      "does not answer"), text
    assert "secret" not in text
    # no platform is a supported set-up (API only), so a warning that says what runs, not a failure
    assert lines["platforms"].startswith("warn none configured: `dealbot run` serves only the HTTP server")

    engine = make_engine(database_url)
    try:
        behind = (f"ok at {PREVIOUS_RELEASE}; the embedded database is migrated" if database_url.startswith("sqlite")
                  else f"FAIL at {PREVIOUS_RELEASE}, this dealbot needs {migrate.head()}: run `dealbot migrate`")
        for revision, expected in [("9999_newer", "FAIL at 9999_newer, newer than this dealbot"),
                                   (PREVIOUS_RELEASE, behind)]:
            with engine.begin() as connection:
                connection.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
            _, lines, text = await doctor(database_url, tmp_path)
            assert lines["schema"].startswith(expected), text
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": migrate.head()})
        engine.dispose()

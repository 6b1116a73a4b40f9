"""The REST API on a real `dealbot run` (Telegram on its fake, long polling): a token made with
`dealbot token create` reads and moves a deal made in the console, over the one HTTP server that
also answers /healthz; `dealbot token revoke` in another process stops it at once; `dealbot token
list` shows its last use; and the CLI refuses bad token commands with one sentence."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import dealbot_env
from tests.e2e.running import dealbot_running
from tests.e2e.test_run_three_platforms import free_port
from tests.platforms.telegram import FakeTelegram

pytestmark = pytest.mark.slow

TG_TOKEN = "123456:E2E-api-telegram-token"


async def test_a_token_works_on_dealbot_run_until_revoked(run_dealbot_forked, database_url, tmp_path):
    assert run_dealbot_forked(["console"], stdin="new Acme 50k\n").returncode == 0
    made = run_dealbot_forked(["token", "create", "crm", "--role", "manager", "--team", "sales"])
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("dbt_")
    telegram = await FakeTelegram(TG_TOKEN).start()
    port = free_port()
    env = dealbot_env(database_url, tmp_path, DEALBOT_HTTP_PORT=str(port), TELEGRAM_BOT_TOKEN=TG_TOKEN,
                      TELEGRAM_API_URL=telegram.url)
    try:
        async with dealbot_running(env, tmp_path), httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}) as http:
            assert (await http.get("/healthz")).status_code == 200
            deal = await http.get("/api/v1/deals/D-1")
            assert deal.status_code == 200 and deal.json()["customer"]["name"] == "Acme"
            moved = await http.post("/api/v1/deals/D-1/move", json={"stage": "demo"},
                                    headers={"If-Match": deal.headers["etag"]})
            assert moved.status_code == 200 and moved.json()["stage"] == "demo"
            assert run_dealbot_forked(["token", "revoke", "crm"]).returncode == 0
            refused = await http.get("/api/v1/deals/D-1")
            assert refused.status_code == 401 and refused.headers["content-type"] == "application/problem+json"
    finally:
        await telegram.stop()
    shown = run_dealbot_forked(["token", "list"])
    assert "crm" in shown.stdout and "last used never" not in shown.stdout and "revoked" in shown.stdout
    history = run_dealbot_forked(["console"], stdin="history D-1\n", DEALBOT_CONSOLE_USER="boss")
    assert "@crm" in history.stdout


@pytest.mark.parametrize("args, says", [
    (["token", "create"], "needs a NAME"),
    (["token", "create", "x y"], "is not a token name"),
    (["token", "create", "crm", "--team", "nowhere"], "no team named 'nowhere'"),
    (["token", "revoke", "ghost"], "no token named 'ghost'"),
])
def test_bad_token_commands_say_one_sentence(run_dealbot_forked, args, says):
    assert run_dealbot_forked(["console"], stdin="me\n").returncode == 0  # the team exists
    done = run_dealbot_forked(args)
    assert done.returncode == 2 and says in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_a_token_is_no_rep_in_the_consoles_figures(run_dealbot):
    """The new-user trial's steps: a rep token made for a web form, then the figures in the console.
    The token's member is an integration: no row, no quiet rep; `members` says what it is."""
    assert run_dealbot(["console"], stdin="new Acme 50k\n").returncode == 0
    made = run_dealbot(["token", "create", "webform", "--role", "rep", "--team", "sales"])
    assert made.returncode == 0, made.stderr
    shown = run_dealbot(["console"], stdin="scorecard\nleaderboard\nquality\nhealth\n")
    assert shown.returncode == 0 and "Traceback" not in shown.stderr, shown.stderr
    assert "Scorecard" in shown.stdout and "Leaderboard" in shown.stdout and "webform" not in shown.stdout
    members = run_dealbot(["console"], stdin="members\n").stdout
    assert "@webform · integration (API token, acts as rep)" in members and "@webform · rep" not in members

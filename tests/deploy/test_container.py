"""The container files. No image registry is reachable here, so the image itself is not built:
its Dockerfile is linted (hadolint) and checked against the repository, compose.yaml is read
and checked, and the image's entry point, settings and health check run as plain processes
against the test database (SQLite, or PostgreSQL in that run), with the Telegram fake."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.config import Settings
from tests.e2e.conftest import dealbot_env
from tests.e2e.test_run_three_platforms import free_port, wait_for_line
from tests.platforms.telegram import FakeTelegram

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DOCKERFILE = (REPO / "Dockerfile").read_text()
COMPOSE = yaml.safe_load((REPO / "compose.yaml").read_text())
ENTRYPOINT = REPO / "deploy" / "entrypoint.sh"
HEALTHCHECK = REPO / "deploy" / "healthcheck.py"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", "\n".join(line for line in DOCKERFILE.splitlines()
                                              if not line.lstrip().startswith("#")))
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in joined.splitlines() if line.strip()]


def image_env() -> dict[str, str]:
    """The ENV the runtime stage sets (the image's default settings)."""
    found = {}
    for instruction, args in instructions():
        if instruction == "FROM":
            found = {}  # only the last stage's
        elif instruction == "ENV":
            found.update(dict(item.split("=", 1) for item in shlex.split(args)))
    return found


def test_hadolint_finds_nothing():
    done = subprocess.run([str(BIN / "hadolint"), "--no-color", "-"], input=DOCKERFILE, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_shellcheck_finds_nothing_in_the_entry_point():
    done = subprocess.run([str(BIN / "shellcheck"), str(ENTRYPOINT)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_dockerfile_builds_from_what_the_context_holds():
    ignore = (REPO / ".dockerignore").read_text().splitlines()
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    copied = [args.split()[:-1] for instruction, args in instructions() if instruction == "COPY"
              and not args.startswith("--from")]
    sources = [source for group in copied for source in group]
    assert sources, "no COPY found"
    for source in sources:
        assert (REPO / source).exists(), source
        assert source.rstrip("/") in allowed, f"{source} is excluded by .dockerignore"
    runtime = [instruction for instruction, _ in instructions()]
    assert runtime.count("FROM") == 2  # a build stage; the runtime stage gets the venv alone
    user = [args for instruction, args in instructions() if instruction == "USER"]
    assert user == ["10001:10001"]  # not root
    entry = dict(instructions())
    assert json.loads(entry["ENTRYPOINT"]) == ["dealbot-entrypoint"] and json.loads(entry["CMD"]) == ["run"]
    assert "ARG CJK_FONT=false" in DOCKERFILE and '".[zh-charts]"' in DOCKERFILE  # the font: a build argument


def test_image_and_compose_settings_are_real_settings():
    names = {field.validation_alias.choices[0] for field in Settings.model_fields.values()
             if field.validation_alias is not None}
    example = (REPO / ".env.example").read_text()
    compose_env = COMPOSE["x-dealbot"]["environment"]
    for name in [*image_env(), *compose_env]:
        if name.startswith("DEALBOT_"):
            assert name in names, f"{name} is no setting"
            assert f"{name}=" in example, f"{name} is not in .env.example"
    settings = Settings(_env_file=None, **{k.removeprefix("DEALBOT_").lower(): v for k, v in image_env().items()
                                           if k.startswith("DEALBOT_")})
    assert settings.log_to_stderr and settings.log_format == "json" and settings.http_host == "0.0.0.0"


def test_compose_runs_migrate_before_two_replicas_on_a_healthy_postgres():
    services = COMPOSE["services"]
    assert services["db"]["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in services["db"]["volumes"])
    migrate = services["migrate"]
    assert migrate["command"] == ["migrate"] and migrate["restart"] == "no"
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    dealbot = services["dealbot"]
    assert dealbot["deploy"]["replicas"] == 2
    assert dealbot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert dealbot["depends_on"]["db"]["condition"] == "service_healthy"
    assert dealbot["healthcheck"]["test"] == ["CMD", "python", "/usr/local/lib/dealbot/healthcheck.py"]
    assert dealbot["env_file"] == ".env" and migrate["env_file"] == ".env"  # secrets from the env file
    assert "${POSTGRES_PASSWORD:?" in dealbot["environment"]["DEALBOT_DATABASE_URL"]
    assert set(COMPOSE["volumes"]) == {"postgres-data", "dealbot-data"}


def container_env(database_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    """The image's settings and compose's, on this machine: the test database, a data folder of
    the test's, loopback only (tests talk to 127.0.0.1 alone), `dealbot` on PATH as in the image."""
    env = dealbot_env(database_url, tmp_path)
    env.update(image_env())
    env.update({k: str(v) for k, v in COMPOSE["x-dealbot"]["environment"].items() if k != "DEALBOT_DATABASE_URL"})
    env.update(DEALBOT_DATABASE_URL=database_url, DEALBOT_DATA_DIR=str(tmp_path / "data"),
               DEALBOT_HTTP_HOST="127.0.0.1", DEALBOT_HTTP_PORT=str(free_port()), DEALBOT_METRICS_HOST="127.0.0.1",
               DEALBOT_METRICS_PORT=str(free_port()), PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    return env | extra


def healthcheck(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(HEALTHCHECK)], capture_output=True, text=True, env=env, timeout=30)


@pytest.mark.slow
async def test_entry_point_settings_and_health_check_as_plain_processes(database_url, tmp_path: Path):
    fake = await FakeTelegram("123456:IMAGE-token").start()
    env = container_env(database_url, tmp_path, TELEGRAM_BOT_TOKEN="123456:IMAGE-token", TELEGRAM_API_URL=fake.url)
    try:
        migrated = subprocess.run([str(ENTRYPOINT), "migrate"], capture_output=True, text=True, env=env, timeout=120)
        assert migrated.returncode == 0 and migrated.stdout.startswith("database at revision"), migrated.stderr
        passthrough = subprocess.run([str(ENTRYPOINT), "sh", "-c", "echo any program"], capture_output=True,
                                     text=True, env=env, timeout=60)
        assert passthrough.stdout == "any program\n"

        down = healthcheck(env)
        assert down.returncode == 1 and down.stdout.startswith("no answer from http://127.0.0.1:")

        process = await asyncio.create_subprocess_exec(str(ENTRYPOINT), env=env, cwd=tmp_path,  # no args: run
                                                       stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        try:
            await wait_for_line(process.stdout, "dealbot running: telegram", [], 60)
            ready = await asyncio.to_thread(healthcheck, env)
            assert (ready.returncode, ready.stdout) == (0, "ready\n")
            process.terminate()
            assert await asyncio.wait_for(process.wait(), 30) == 0
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        logged = (await process.stderr.read()).decode().splitlines()
        assert logged and all(json.loads(line)["level"] for line in logged)  # JSON lines on stderr
        assert not (tmp_path / "data" / "dealbot.log").exists()
        gone = healthcheck(env)
        assert gone.returncode == 1
    finally:
        await fake.stop()


@pytest.mark.slow
def test_the_health_check_says_why_dealbot_is_not_ready(database_url, tmp_path: Path):
    """/readyz answers 503 with reasons: a server standing in for dealbot that is not serving."""
    from aiohttp import web

    from bot.run import web_app

    async def scenario():
        app = web_app([], lambda: ["schema at revision 0014_import, this dealbot needs 0015: run dealbot migrate"])
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            return await asyncio.to_thread(healthcheck, {**os.environ, "DEALBOT_HTTP_PORT": str(port)})
        finally:
            await runner.cleanup()

    answer = asyncio.run(scenario())
    assert answer.returncode == 1
    assert answer.stdout == "not ready: schema at revision 0014_import, this dealbot needs 0015: run dealbot migrate\n"

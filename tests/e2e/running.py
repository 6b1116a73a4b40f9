"""A `dealbot run` process for the length of a block: started, waited for until it says it
runs, stopped with SIGTERM at the end of the block (which must exit 0), killed if the block fails."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from pathlib import Path

from tests.e2e.conftest import DEALBOT
from tests.e2e.test_run_three_platforms import wait_for_line


@contextlib.asynccontextmanager
async def dealbot_running(env: dict[str, str], cwd: Path, says: str = "dealbot running",
                          timeout: float = 60) -> AsyncIterator[asyncio.subprocess.Process]:
    process = await asyncio.create_subprocess_exec(str(DEALBOT), "run", env=env, cwd=cwd,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        await wait_for_line(process.stdout, says, [], timeout)
        yield process
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

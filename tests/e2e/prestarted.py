"""`dealbot` invocations as real processes forked from one that has done the imports, for tests that
run the command many times (the CLI fuzz): a process start costs ~1.5 s on a quiet 2-core machine,
nearly all of it importing the bot, which a fork skips.

Each invocation is still a process of its own: fork, then in the child the invocation's
environment, working directory, stdin, stdout and stderr (files, at the descriptor level), and the
console script's own `sys.exit(main())` with its arguments in sys.argv, so an exception that
escapes shows the interpreter's traceback on stderr and exits 1, as `dealbot` would. The parent
imports modules only; it opens no database, file or thread that a child could inherit.

`Prestarted` (the test side) starts `python -m tests.e2e.prestarted` and sends it one request a
line (JSON: args, env, cwd, stdin, timeout); the server answers each with a line of its own
(returncode, stdout, stderr).
"""

from __future__ import annotations

import gc
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# What the subcommands import when they run: done once, here, instead of in every child.
PRELOAD = ("bot.cli", "bot.cli_errors", "bot.config", "bot.logs", "bot.bootstrap", "bot.analytics",
           "bot.backup_cli", "bot.transfer_cli", "bot.nextsteps_cli", "bot.doctor", "adapters.console",
           "storage.db", "storage.migrate")


def _streams(env: dict[str, str]) -> None:
    """sys.stdin, sys.stdout and sys.stderr anew on descriptors 0, 1 and 2 (the parent's objects
    may hold its buffers), with the encoding and errors the interpreter chose for the parent."""
    unbuffered = bool(env.get("PYTHONUNBUFFERED"))
    for fd, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        parent = getattr(sys, f"__{name}__")
        binary = open(fd, "rb" if fd == 0 else "wb", closefd=False)  # noqa: SIM115  (the process's own)
        setattr(sys, name, io.TextIOWrapper(binary, encoding=parent.encoding, errors=parent.errors,
                                            write_through=unbuffered or fd == 2))


def _child(request: dict, files: dict[str, Path]) -> None:
    """In the forked child: become the invocation, then exit the way the console script does."""
    for fd, name, mode in ((0, "stdin", os.O_RDONLY), (1, "stdout", os.O_WRONLY), (2, "stderr", os.O_WRONLY)):
        opened = os.open(files[name], mode)
        os.dup2(opened, fd)
        os.close(opened)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    _streams(request["env"])
    sys.argv = ["dealbot", *request["args"]]
    from bot.cli import main

    sys.exit(main())  # SystemExit out of serve(): the interpreter's own exit, atexit included


def _wait(pid: int, timeout: float) -> int | None:
    """The child's return code as subprocess gives it (-N for signal N); None if it timed out (killed)."""
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None
        time.sleep(0.005)


def serve() -> None:
    for module in PRELOAD:
        __import__(module)
    gc.freeze()  # the imports' objects out of the collector's sight: a child's exit need not touch (copy) them
    # The protocol on descriptors of its own: a child's 0, 1 and 2 become its files.
    requests, answers = os.fdopen(os.dup(0), "rb"), os.fdopen(os.dup(1), "w", encoding="utf-8")
    folder, parent = Path(tempfile.mkdtemp(prefix="dealbot-prestarted-")), os.getpid()
    files = {name: folder / name for name in ("stdin", "stdout", "stderr")}
    try:
        for line in requests:
            request = json.loads(line)
            files["stdin"].write_text(request["stdin"], encoding="utf-8")
            files["stdout"].write_bytes(b"")
            files["stderr"].write_bytes(b"")
            pid = os.fork()
            if pid == 0:
                _child(request, files)
            returncode = _wait(pid, request["timeout"])
            answers.write(json.dumps({
                "returncode": returncode,
                "stdout": files["stdout"].read_text(encoding="utf-8", errors="replace"),
                "stderr": files["stderr"].read_text(encoding="utf-8", errors="replace"),
            }) + "\n")
            answers.flush()
    finally:
        if os.getpid() == parent:  # not in a child on its way out
            shutil.rmtree(folder, ignore_errors=True)


class Prestarted:
    """The test side: `run(args, env=..., cwd=..., stdin=..., timeout=...)` -> CompletedProcess,
    as subprocess.run would give for `dealbot *args` (TimeoutExpired if it ran too long)."""

    def __init__(self) -> None:
        root = Path(__file__).resolve().parents[2]
        self.server = subprocess.Popen([sys.executable, "-m", "tests.e2e.prestarted"], cwd=root,
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8")

    def run(self, args: list[str], *, env: dict[str, str], cwd: Path, stdin: str = "",
            timeout: float = 60) -> subprocess.CompletedProcess:
        assert self.server.stdin is not None and self.server.stdout is not None
        request = {"args": args, "env": env, "cwd": str(cwd), "stdin": stdin, "timeout": timeout}
        self.server.stdin.write(json.dumps(request) + "\n")
        self.server.stdin.flush()
        line = self.server.stdout.readline()
        assert line, f"the prestarted dealbot server ended (exit {self.server.wait()})"
        answer = json.loads(line)
        if answer["returncode"] is None:
            raise subprocess.TimeoutExpired(["dealbot", *args], timeout, answer["stdout"], answer["stderr"])
        return subprocess.CompletedProcess(["dealbot", *args], answer["returncode"], answer["stdout"],
                                           answer["stderr"])

    def close(self) -> None:
        if self.server.stdin is not None:
            self.server.stdin.close()
        try:
            self.server.wait(timeout=30)
        finally:
            if self.server.poll() is None:
                self.server.kill()
                self.server.wait()


if __name__ == "__main__":
    serve()

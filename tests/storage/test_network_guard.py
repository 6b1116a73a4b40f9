"""tests/conftest.py lets tests reach loopback and Unix sockets only."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest


def test_outside_addresses_are_refused():
    with pytest.raises(RuntimeError, match="only connect to"):
        socket.create_connection(("192.0.2.1", 80), timeout=1)  # TEST-NET-1, never routed
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock, pytest.raises(RuntimeError):
        sock.connect_ex(("2001:db8::1", 80))


def test_loopback_and_unix_sockets_are_allowed(tmp_path: Path):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        socket.create_connection(server.getsockname(), timeout=1).close()
    path = str(tmp_path / "s.sock")
    with socket.socket(socket.AF_UNIX) as server, socket.socket(socket.AF_UNIX) as client:
        server.bind(path)
        server.listen()
        client.connect(path)


def test_proxies_are_cleared():
    assert not any(os.environ.get(name) for name in ("HTTP_PROXY", "https_proxy", "ALL_PROXY"))
    assert "127.0.0.1" in os.environ["NO_PROXY"]

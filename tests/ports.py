"""Ports for the servers the tests start."""

from __future__ import annotations

import random
import socket


def free_port() -> int:
    """A free port below the ephemeral range (32768-60999 on Linux): a port the kernel hands
    out for ``bind(0)`` can be taken again, between this check and the server's bind, as
    the local port of an outgoing connection (a database connection, for one)."""
    for _ in range(200):
        port = random.randint(20000, 32000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError("no free port between 20000 and 32000")

"""A pseudo-terminal for tests that look at parrules as a person at a terminal sees it (POSIX only)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable

import pytest


def pseudo_terminal(columns: int, lines: int) -> tuple[int, int]:
    """(master, slave) of a new pseudo-terminal `columns` wide and `lines` high; skips where there is none."""
    pty = pytest.importorskip("pty", reason="pseudo-terminals are POSIX")
    import fcntl
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    return master, slave


def read_all(master: int, slave: int,
             start: Callable[[int], subprocess.Popen[bytes]]) -> tuple[subprocess.Popen[bytes], bytes]:
    """Start the program on `slave` (`start(slave)`), and read everything it writes there until it closes."""
    started = start(slave)
    os.close(slave)  # the program holds the only other end: reading stops when it exits
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the other end closed (Linux)
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return started, b"".join(chunks)

"""Serve: a build's Oxigraph store -> a read-only SPARQL 1.1 endpoint over HTTP.

In: the store folder. Out: Oxigraph's own server (`oxigraph serve-read-only`, from the
`oxigraph` package) bound to 127.0.0.1 unless told otherwise, with a query time limit,
running until Ctrl-C (or SIGTERM), then stopped cleanly. Its endpoint is
http://HOST:PORT/query; updates are refused (read-only).
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path


class ServeError(Exception):
    """The server cannot start: no store, no oxigraph binary, port taken."""


def oxigraph_binary() -> str:
    """The `oxigraph` command installed beside this Python (or on PATH)."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise ServeError("the `oxigraph` command is missing: pip install oxigraph")
    return found


def wait_until_listening(host: str, port: int, process: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServeError(f"oxigraph exited with status {process.returncode} "
                             f"(is port {port} taken?)")
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    process.terminate()
    raise ServeError(f"oxigraph did not listen on {host}:{port} within {seconds:.0f} s")


def start(store: Path, host: str = "127.0.0.1", port: int = 7878,
          timeout: int = 30) -> subprocess.Popen:
    """Start the read-only server and return once it accepts connections."""
    if not (store / "CURRENT").exists() and not any(store.glob("*.sst")):
        raise ServeError(f"{store}: no Oxigraph store here; run `kg build` first")
    command = [oxigraph_binary(), "serve-read-only", "--location", str(store),
               "--bind", f"{host}:{port}", "--timeout-s", str(timeout)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_until_listening(host, port, process, seconds=20)
    return process


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def serve_store(store: Path, host: str, port: int, timeout: int,
                announce: Callable[[str], None] = print) -> None:
    """Run the server in the foreground until Ctrl-C or SIGTERM."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM stops like Ctrl-C
    # a shell starting a command in the background (`kg serve ... &` in a script) makes it
    # ignore Ctrl-C, and Python then keeps ignoring it: this server always stops on it
    signal.signal(signal.SIGINT, signal.default_int_handler)
    process = start(store, host, port, timeout)
    try:
        announce(f"SPARQL endpoint: http://{host}:{port}/query  (read-only, queries limited "
                 f"to {timeout} s, bound to {host}; Ctrl-C stops)")
        process.wait()
    except KeyboardInterrupt:
        announce("stopping")
    finally:
        stop(process)

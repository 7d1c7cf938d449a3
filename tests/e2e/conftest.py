"""A real immunocare server (the demo cohort on SQLite) and Debian's Chromium driven by Playwright.

Without Chromium the browser tests are skipped, except when CI=true: CI must never skip them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing; CI must run the browser tests (apt install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``immunocare serve`` on a free port, over a fresh SQLite database filled with the demo."""
    folder = tmp_path_factory.mktemp("e2e")
    env = {
        **os.environ,
        "IMMUNOCARE_DATABASE_URL": f"sqlite:///{folder / 'e2e.db'}",
        "IMMUNOCARE_ENVIRONMENT": "test",
        "IMMUNOCARE_ARGON2_TIME_COST": "1",
        "IMMUNOCARE_ARGON2_MEMORY_KIB": "256",
    }
    command = [sys.executable, "-m", "immunocare"]
    for step in (["db", "upgrade"], ["demo"]):
        subprocess.run([*command, *step], env=env, check=True, capture_output=True, timeout=120)
    port = _free_port()
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(
        [*command, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail(f"the server did not start; see {folder / 'server.log'}")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()

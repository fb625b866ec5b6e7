"""Start and stop a local anvil chain (from npm) bound to loopback."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import httpx

from core.chain.paths import ANVIL_BIN

LOCAL_CHAIN_ID = 31337


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Anvil:
    """An anvil process; `url` answers JSON-RPC once `start()` returns."""

    def __init__(
        self,
        port: int | None = None,
        block_time: float | None = None,
        chain_id: int = LOCAL_CHAIN_ID,
        log_path: Path | None = None,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.port = port or free_port()
        self.block_time = block_time
        self.chain_id = chain_id
        self.log_path = log_path
        self.extra_args = extra_args
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> Anvil:
        if not ANVIL_BIN.exists():
            raise RuntimeError(f"anvil not found at {ANVIL_BIN}: run the setup (npm ci) first")
        args = [str(ANVIL_BIN), "--host", "127.0.0.1", "--port", str(self.port), "--chain-id", str(self.chain_id)]
        if self.block_time:
            args += ["--block-time", str(self.block_time)]
        args += list(self.extra_args)
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"anvil exited with code {self.process.returncode} (port {self.port} taken?)")
            if self._answers():
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"anvil did not answer on {self.url} within {timeout:.0f}s")

    def _answers(self) -> bool:
        try:
            r = httpx.post(self.url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}, timeout=1)
            return r.status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> Anvil:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

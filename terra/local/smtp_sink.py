"""A FAKE SMTP server for the local stack and the tests: accepts every message on loopback (aiosmtpd) and stores
each one as an .eml file in its directory, so that `terra dev` users and tests read what the API sent. It never
relays anything anywhere."""

from __future__ import annotations

import asyncio
import os
import uuid
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from terra.local.anvil import free_port


class _Store:
    """aiosmtpd's handler: each accepted DATA becomes one file (written aside, then renamed: never half a file)."""

    def __init__(self, directory: Path, delay: float) -> None:
        self.directory = directory
        self.delay = delay

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook
        if self.delay:
            await asyncio.sleep(self.delay)  # a slow relay: lets tests make two senders overlap
        content: bytes = envelope.original_content or envelope.content
        name = f"{asyncio.get_running_loop().time():020.6f}-{uuid.uuid4().hex[:8]}"
        part = self.directory / f".{name}.part"
        part.write_bytes(content)
        os.replace(part, self.directory / f"{name}.eml")
        return "250 Message accepted for delivery (FAKE SMTP sink: stored, never relayed)"


class FakeSmtpSink:
    def __init__(self, directory: Path, host: str = "127.0.0.1", port: int | None = None, delay: float = 0.0) -> None:
        self.directory = directory
        self.host = host
        self.port = port or free_port()
        self.delay = delay
        self._controller: Controller | None = None

    def start(self) -> FakeSmtpSink:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._controller = Controller(_Store(self.directory, self.delay), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> FakeSmtpSink:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def files(self) -> list[Path]:
        return sorted(self.directory.glob("*.eml"))

    def messages(self) -> list[EmailMessage]:
        parser = BytesParser(policy=policy.default)
        found = []
        for path in self.files():
            message = parser.parsebytes(path.read_bytes())
            assert isinstance(message, EmailMessage)
            found.append(message)
        return found

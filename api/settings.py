"""The API process's settings: where it listens, its rate-limit store and the content store. No signing key."""

from __future__ import annotations

from pydantic import Field

from core.settings import ContentStoreSettings


class ApiSettings(ContentStoreSettings):
    api_host: str = Field(default="127.0.0.1", description="Address the API binds to.")
    api_port: int = Field(default=8000, description="Port the API listens on.")
    redis_url: str | None = Field(default=None, description="Redis for rate limits; unset keeps them in memory.")

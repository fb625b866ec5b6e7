"""The app as uvicorn imports it in each worker (`terra api --workers N`): settings from the environment."""

from __future__ import annotations

from fastapi import FastAPI

from api.app import create_app
from api.settings import ApiSettings
from core.logging_setup import configure_logging
from core.settings import load_settings


def app_from_environment() -> FastAPI:
    settings = load_settings(ApiSettings)
    configure_logging(settings.log_level, settings.log_json)
    return create_app(settings)

"""The JWT key: from API_JWT_SECRET or a key file, the named development key only on local, never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.app import create_app
from api.settings import LOCAL_DEV_JWT_SECRET, ApiSettings
from core.redact import redact
from core.settings import InvalidSettings, load_settings

KEY = "a-real-production-key-" + "q" * 30


def test_production_without_a_key_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("API_JWT_SECRET", raising=False)
    settings = load_settings(ApiSettings, api_environment="production")
    with pytest.raises(InvalidSettings, match="API_JWT_SECRET: required"):
        settings.jwt_key()
    with pytest.raises(InvalidSettings):
        create_app(settings)  # before any engine or database is touched


def test_local_falls_back_to_the_named_development_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("API_JWT_SECRET", raising=False)
    key = load_settings(ApiSettings, api_environment="local").jwt_key().get_secret_value()
    assert key == LOCAL_DEV_JWT_SECRET and "LOCAL-DEV-ONLY" in key


def test_the_key_comes_from_the_environment_and_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_JWT_SECRET", KEY)
    settings = load_settings(ApiSettings)
    assert settings.jwt_key().get_secret_value() == KEY
    assert KEY not in repr(settings) and KEY not in str(settings.model_dump())
    assert redact(f"oops {KEY} leaked") == "oops *** leaked"


def test_the_key_file_is_read_and_scrubbed_from_logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("API_JWT_SECRET", raising=False)
    file_key = "from-a-mounted-secret-file-" + "f" * 20
    (tmp_path / "jwt.key").write_text(file_key + "\n")
    settings = load_settings(ApiSettings, api_jwt_secret_file=tmp_path / "jwt.key")
    assert settings.jwt_key().get_secret_value() == file_key
    assert file_key not in redact(f"key={file_key}")


def test_short_keys_and_missing_files_are_one_line_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("API_JWT_SECRET", raising=False)
    with pytest.raises(InvalidSettings, match="API_JWT_SECRET: at least 32 characters"):
        load_settings(ApiSettings, api_jwt_secret="short").jwt_key()
    with pytest.raises(InvalidSettings, match="API_JWT_SECRET_FILE: cannot read it"):
        load_settings(ApiSettings, api_jwt_secret_file=tmp_path / "missing").jwt_key()


def test_cors_origins_are_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("API_READY_MAX_INDEX_AGE_SECONDS", "")
    settings = load_settings(ApiSettings)
    assert settings.api_cors_origins == ["https://a.example", "https://b.example"]
    assert settings.api_ready_max_index_age_seconds is None

"""Settings come from the environment, and `.env.example` documents every one of them."""

from __future__ import annotations

import pytest

from core.chain.paths import REPO_ROOT
from core.settings import Settings


def test_env_example_documents_every_setting() -> None:
    text = (REPO_ROOT / ".env.example").read_text()
    missing = [name.upper() for name in Settings.model_fields if f"{name.upper()}=" not in text]
    assert missing == []


def test_rpc_urls_split_on_commas_and_fall_back_to_rpc_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RPC_URLS", " http://a:1 ,http://b:2,, ")
    assert Settings().service_rpc_urls == ["http://a:1", "http://b:2"]
    monkeypatch.delenv("RPC_URLS")
    monkeypatch.setenv("RPC_URL", "http://c:3")
    assert Settings().service_rpc_urls == ["http://c:3"]


def test_secrets_never_show_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAYER_PRIVATE_KEY", "0x" + "ab" * 32)
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:hunter2@db/terra")
    shown = repr(Settings())
    assert "ab" * 32 not in shown and "hunter2" not in shown


def test_data_dirs_are_separate_per_setting(tmp_path) -> None:  # type: ignore[no-untyped-def]
    a = Settings(terra_data_dir=tmp_path / "a")
    b = Settings(terra_data_dir=tmp_path / "b")
    assert a.deployments_path != b.deployments_path
    assert a.deployments_path.is_relative_to(a.data_dir)

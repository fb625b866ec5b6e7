"""Settings come from the environment, each process reads only its own secrets, and `.env.example` documents every
variable under the process that reads it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from api.settings import ApiSettings
from core.chain.paths import REPO_ROOT
from core.settings import ContentStoreSettings, InvalidSettings, ServiceSettings, load_settings
from core.stripe.settings import StripeSettings
from indexer.settings import IndexerSettings
from relayer.settings import RelayerSettings
from terra.ops.settings import OperatorSettings

MINTER_KEY = "0x" + "ab" * 32
MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
DEPLOYER_KEY = "0x" + "cd" * 32

# The section of .env.example each process's own settings sit under; the shared base has its own.
SECTIONS: dict[str, type[ServiceSettings]] = {
    "shared": ServiceSettings,
    "content store": ContentStoreSettings,
    "stripe": StripeSettings,
    "indexer": IndexerSettings,
    "relayer": RelayerSettings,
    "operator": OperatorSettings,
    "api": ApiSettings,
}


def env_example_sections() -> dict[str, str]:
    text = (REPO_ROOT / ".env.example").read_text()
    parts = re.split(r"^# ===+ (.+?) =+$", text, flags=re.M)
    return {name.split(":")[0].strip(): body for name, body in zip(parts[1::2], parts[2::2], strict=True)}


def own_fields(cls: type[ServiceSettings]) -> set[str]:
    inherited = set().union(*(set(getattr(base, "model_fields", {})) for base in cls.__mro__[1:]))
    return set(cls.model_fields) - inherited


def test_env_example_lists_every_variable_under_the_process_that_reads_it() -> None:
    sections = env_example_sections()
    assert set(sections) == set(SECTIONS)
    misplaced = [
        (section, name.upper())
        for section, cls in SECTIONS.items()
        for name in own_fields(cls)
        if f"{name.upper()}=" not in sections[section]
    ]
    assert misplaced == []


@pytest.mark.parametrize("cls", [IndexerSettings, ApiSettings, OperatorSettings])
def test_settings_outside_the_relayer_have_no_minter_key_and_never_read_it(
    cls: type[ServiceSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RELAYER_PRIVATE_KEY", MINTER_KEY)
    monkeypatch.setenv("RELAYER_MNEMONIC", MNEMONIC)
    assert not [name for name in cls.model_fields if "private_key" in name and "relayer" in name]
    assert "relayer_mnemonic" not in cls.model_fields
    settings = load_settings(cls)
    read = repr(settings.model_dump()) + repr(settings.model_extra)
    assert "ab" * 32 not in read and "abandon" not in read


@pytest.mark.parametrize("cls", [IndexerSettings, ApiSettings, RelayerSettings])
def test_only_the_operator_commands_read_the_deployer_key(
    cls: type[ServiceSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEPLOYER_PRIVATE_KEY", DEPLOYER_KEY)
    assert "deployer_private_key" not in cls.model_fields
    assert "cd" * 32 not in repr(load_settings(cls).model_dump())
    key = load_settings(OperatorSettings).deployer_private_key
    assert key is not None and key.get_secret_value() == DEPLOYER_KEY


def test_the_relayer_reads_its_key_and_mnemonic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAYER_PRIVATE_KEY", MINTER_KEY)
    monkeypatch.setenv("RELAYER_MNEMONIC", MNEMONIC)
    settings = load_settings(RelayerSettings)
    assert settings.relayer_private_key is not None and settings.relayer_private_key.get_secret_value() == MINTER_KEY
    assert settings.relayer_mnemonic is not None and settings.relayer_mnemonic.get_secret_value() == MNEMONIC
    assert "ab" * 32 not in repr(settings) and "abandon" not in repr(settings)


def test_rpc_urls_split_on_commas_and_fall_back_to_rpc_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RPC_URLS", " http://a:1 ,wss://b:2,, ")
    assert load_settings(IndexerSettings).service_rpc_urls == ["http://a:1", "wss://b:2"]
    monkeypatch.delenv("RPC_URLS")
    monkeypatch.setenv("RPC_URL", "https://c:3")
    assert load_settings(IndexerSettings).service_rpc_urls == ["https://c:3"]


@pytest.mark.parametrize(
    ("variable", "value", "shown"),
    [
        ("RPC_URLS", "garbage", "'garbage'"),
        ("RPC_URLS", "http://127.0.0.1:8545,garbage", "'garbage'"),
        ("RPC_URL", "garbage", "'garbage'"),
        ("RPC_URL", "127.0.0.1:8545", "'127.0.0.1:8545'"),
        ("RPC_URLS", "", None),
    ],
)
def test_an_rpc_url_that_is_not_one_is_named_in_one_line(
    variable: str, value: str, shown: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    if shown is None:  # empty means unset
        assert load_settings(IndexerSettings).service_rpc_urls == ["http://127.0.0.1:8545"]
        return
    with pytest.raises(InvalidSettings) as info:
        load_settings(IndexerSettings)
    assert str(info.value) == f"{variable}: {shown} is not an http(s) or ws(s) URL"


@pytest.mark.parametrize(
    "value",
    ["ftp://rpc.example:21/v3/SECRETKEY123", "https//mainnet.infura.io/v3/SECRETKEY123", "https://:SECRETKEY123@/x"],
)
def test_a_bad_rpc_url_is_named_without_its_key(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RPC_URLS", value)
    with pytest.raises(InvalidSettings) as info:
        load_settings(IndexerSettings)
    message = str(info.value)
    assert message.startswith("RPC_URLS: ") and "\n" not in message
    assert "SECRETKEY123" not in message


def test_a_bad_value_elsewhere_is_named_without_echoing_the_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAIN_ID", "polygon")
    monkeypatch.setenv("INDEXER_POLL_INTERVAL", "soon")
    with pytest.raises(InvalidSettings) as info:
        load_settings(IndexerSettings)
    assert str(info.value).splitlines() == [
        "CHAIN_ID: Input should be a valid integer, unable to parse string as an integer",
        "INDEXER_POLL_INTERVAL: Input should be a valid number, unable to parse string as a number",
    ]


def test_secrets_never_show_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAYER_PRIVATE_KEY", MINTER_KEY)
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:hunter2@db/terra")
    shown = repr(load_settings(RelayerSettings))
    assert "ab" * 32 not in shown and "hunter2" not in shown


def test_data_dirs_are_separate_per_setting(tmp_path: Path) -> None:
    a = load_settings(IndexerSettings, terra_data_dir=tmp_path / "a")
    b = load_settings(IndexerSettings, terra_data_dir=tmp_path / "b")
    assert a.deployments_path != b.deployments_path
    assert a.deployments_path.is_relative_to(a.data_dir)

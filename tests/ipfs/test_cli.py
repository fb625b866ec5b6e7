"""`terra ipfs add|get` (terra/ipfs_cli.py): CIDs out, bytes back, and one-line errors with exit codes 1 or 2."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ipfs.cid import compute_cid
from terra.ipfs_cli import app
from tests.ipfs.fake_kubo import unused_loopback_port
from tests.ipfs.samples import CHUNK, random_bytes

runner = CliRunner()


@pytest.fixture(autouse=True)
def local_store_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("TERRA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("IPFS_API_URL", raising=False)
    monkeypatch.delenv("IPFS_MAX_UPLOAD_BYTES", raising=False)
    yield tmp_path / "data"


def one_line_error(result: object) -> str:
    lines = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1, result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in result.output  # type: ignore[attr-defined]
    return lines[0]


def test_add_prints_the_cid_and_get_writes_the_bytes_back(tmp_path: Path) -> None:
    data = random_bytes(2 * CHUNK + 3)
    source = tmp_path / "prospectus.pdf"
    source.write_bytes(data)

    added = runner.invoke(app, ["add", str(source)])
    cid = added.stdout.strip()
    got = runner.invoke(app, ["get", cid])

    assert added.exit_code == 0
    assert cid == compute_cid(data)
    assert got.exit_code == 0
    assert got.stdout_bytes == data


def test_get_to_a_file(tmp_path: Path) -> None:
    source = tmp_path / "doc"
    source.write_bytes(b"environmental impact")
    cid = runner.invoke(app, ["add", str(source)]).stdout.strip()

    result = runner.invoke(app, ["get", cid, "-o", str(tmp_path / "out")])

    assert result.exit_code == 0
    assert (tmp_path / "out").read_bytes() == b"environmental impact"


def test_add_reads_standard_input_with_a_dash() -> None:
    result = runner.invoke(app, ["add", "-"], input=b"from a pipe")

    assert result.exit_code == 0
    assert result.stdout.strip() == compute_cid(b"from a pipe")


def test_invalid_cid_is_a_usage_error() -> None:
    result = runner.invoke(app, ["get", "not-a-cid"])

    assert result.exit_code == 2
    assert "INVALID_CID" in one_line_error(result)


def test_unknown_cid_fails_with_one_line() -> None:
    result = runner.invoke(app, ["get", compute_cid(b"content nobody added")])

    assert result.exit_code == 1
    assert "CONTENT_NOT_FOUND" in one_line_error(result)


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["add", str(tmp_path / "missing.pdf")])

    assert result.exit_code == 2
    assert "cannot read" in one_line_error(result)


def test_unreachable_node_fails_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPFS_API_URL", f"http://127.0.0.1:{unused_loopback_port()}")
    source = tmp_path / "doc"
    source.write_bytes(b"x")

    result = runner.invoke(app, ["add", str(source)])

    assert result.exit_code == 1
    assert "STORE_UNAVAILABLE" in one_line_error(result)


def test_oversized_upload_fails_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPFS_MAX_UPLOAD_BYTES", "10")
    source = tmp_path / "doc"
    source.write_bytes(b"eleven byte")

    result = runner.invoke(app, ["add", str(source)])

    assert result.exit_code == 1
    assert "UPLOAD_TOO_LARGE" in one_line_error(result)


def test_corrupt_content_leaves_no_output_file(tmp_path: Path, local_store_env: Path) -> None:
    source = tmp_path / "doc"
    source.write_bytes(random_bytes(CHUNK + 1))
    cid = runner.invoke(app, ["add", str(source)]).stdout.strip()
    leaf = next(p for p in (local_store_env / "ipfs" / "blocks").rglob("*") if p.is_file() and p.stat().st_size == 1)
    leaf.write_bytes(b"?")

    result = runner.invoke(app, ["get", cid, "-o", str(tmp_path / "out")])

    assert result.exit_code == 1
    assert "INTEGRITY_ERROR" in one_line_error(result)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "doc"]

"""`terra ipfs add|get`: the configured content store (kubo at IPFS_API_URL, else the local store) from a shell."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO

import click
import typer
from rich.markup import escape

from terra.console import fail

if TYPE_CHECKING:
    from ipfs.store import ContentStore

app = typer.Typer(
    help="Content-addressed files: add them, get them back verified against their CID.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

USAGE_ERROR = 2  # the command line itself is wrong (bad CID, unreadable FILE...), as click's own usage errors
FAILURE = 1


@app.command("add")
def add_cmd(
    file: Annotated[Path, typer.Argument(help="File to add; - reads standard input.", show_default=False)],
    pin: Annotated[bool, typer.Option("--pin/--no-pin", help="Pin it (keep it from garbage collection).")] = True,
) -> None:
    """Add FILE and print its CID (the one `ipfs add --cid-version 1` gives)."""
    with _one_line_errors(), _store() as store:
        with _open_input(file) as source:
            cid = store.add(source)
        if pin:
            store.pin(cid)
    typer.echo(cid)


@app.command("get")
def get_cmd(
    cid: Annotated[str, typer.Argument(help="CID (v0 or v1) of the content.", show_default=False)],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file instead of standard output.")
    ] = None,
) -> None:
    """Write the content of CID to standard output or OUT, each block checked against its hash."""
    with _one_line_errors(), _store() as store:
        if output is not None and not output.parent.is_dir():
            raise _InputError(f"cannot write {output}: no directory {output.parent}")
        pieces = store.stream(cid)  # a bad CID, missing content or unreachable node fail here, before any output
        if output is None:
            # A pipe cannot take bytes back: a block failing its hash further down stops the output there, with
            # exit code 1. `-o` is all-or-nothing.
            stdout = click.get_binary_stream("stdout")
            for piece in pieces:
                stdout.write(piece)
            stdout.flush()
        else:
            _write_whole(output, pieces)


@contextmanager
def _store() -> Iterator[ContentStore]:
    from core.settings import ContentStoreSettings, load_settings
    from ipfs.configured import open_store

    with open_store(load_settings(ContentStoreSettings)) as store:
        yield store


@contextmanager
def _one_line_errors() -> Iterator[None]:
    from core.settings import InvalidSettings
    from ipfs.errors import InvalidCid, IpfsError

    try:
        yield
    except InvalidCid as exc:
        raise fail(escape(f"{exc.message} ({exc.code})"), USAGE_ERROR) from None
    except IpfsError as exc:
        raise fail(escape(f"{exc.message} ({exc.code})"), FAILURE) from None
    except InvalidSettings as exc:
        raise fail(escape(str(exc)), FAILURE) from None
    except _InputError as exc:
        raise fail(escape(str(exc)), USAGE_ERROR) from None
    except OSError as exc:
        raise fail(escape(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")), FAILURE) from None


class _InputError(Exception):
    pass


@contextmanager
def _open_input(file: Path) -> Iterator[BinaryIO]:
    if str(file) == "-":
        yield sys.stdin.buffer
        return
    try:
        handle = file.open("rb")
    except OSError as exc:
        raise _InputError(f"cannot read {file}: {exc.strerror or exc}") from None
    try:
        yield handle
    finally:
        handle.close()


def _write_whole(path: Path, pieces: Iterable[bytes]) -> None:
    """Write beside the target and rename at the end: a failed or corrupt download leaves no partial file."""
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        with open(partial, "xb") as out:
            for piece in pieces:
                out.write(piece)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise

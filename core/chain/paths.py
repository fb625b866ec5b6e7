"""Where the project's own files are, independent of the working directory."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTRACTS_DIR = REPO_ROOT / "contracts"
NODE_MODULES = REPO_ROOT / "node_modules"
SOLC_SHIM = CONTRACTS_DIR / "compiler" / "solc"
# py-solc-x (and so ape-solidity) looks for `solc-v<version>` in this folder when SOLCX_BINARY_PATH points at it.
SOLCX_DIR = REPO_ROOT / ".solcx"
ABI_DIR = Path(__file__).resolve().parent / "abi"
ANVIL_BIN = NODE_MODULES / ".bin" / "anvil"

"""Every ORM model lives here so that all services read one schema; import from the submodules."""

from core.models.base import Base
from core.models.chain import ChainDeployment

__all__ = ["Base", "ChainDeployment"]

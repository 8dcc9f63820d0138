"""entdrill: chaos experiments and continuity drills for school digital workspaces (ENTs)."""

from importlib.metadata import version

from entdrill.errors import EntdrillError

# Written once, in pyproject.toml; read from the installed distribution's metadata.
__version__ = version("entdrill")
__all__ = ["EntdrillError", "__version__"]

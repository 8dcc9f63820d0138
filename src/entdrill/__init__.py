"""entdrill: chaos experiments and continuity drills for school digital workspaces (ENTs)."""

from entdrill.errors import EntdrillError

__version__ = "0.1.0"
__all__ = ["EntdrillError", "__version__"]

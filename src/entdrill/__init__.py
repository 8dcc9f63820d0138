"""entdrill: chaos experiments and continuity drills for school digital workspaces (ENTs)."""

from entdrill.errors import EntdrillError

__all__ = ["EntdrillError", "__version__"]


def __getattr__(name: str) -> str:
    """``__version__``: written once, in pyproject.toml, and read from the installed
    distribution's metadata when first asked for (``importlib.metadata`` costs a command that
    never shows the version, ``entdrill flood`` among them, a sixth of its start-up)."""
    if name != "__version__":
        raise AttributeError(f"module 'entdrill' has no attribute {name!r}")
    from importlib.metadata import version

    value = version("entdrill")
    globals()["__version__"] = value
    return value

from tests.flood.conftest import isolated_runtime, server

__all__ = ["isolated_runtime", "server"]

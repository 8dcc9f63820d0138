"""A test-only activity that loses a KeyboardInterrupt, as a CPython finalizer or a careless
library can (``Exception ignored in ...``): the run must still stop."""

import logging
import time

logger = logging.getLogger("chaostoolkit")


def swallow_interrupt(
    seconds: float = 30.0, configuration: dict | None = None, secrets: dict | None = None
) -> dict:
    """Sleep `seconds`; a Ctrl-C meanwhile is caught and dropped."""
    started = time.monotonic()
    try:
        time.sleep(seconds)
    except KeyboardInterrupt:
        logger.info("swallowed a KeyboardInterrupt")
    return {"slept_s": round(time.monotonic() - started, 3)}

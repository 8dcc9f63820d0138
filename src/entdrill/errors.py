"""The exceptions entdrill raises, one tree.

::

    EntdrillError                  root: the CLI turns any of these into one sentence and an exit code
    ├── InvalidInput               bad input, found before any side effect (exit 2)
    │   ├── InvalidConfig          a configuration value or file (environment, sandbox options)
    │   ├── InvalidArgument        a command-line option or an activity argument
    │   └── InvalidPlan            a drill plan (carries every problem found, each with file/line/field)
    ├── GuardRefusal               a guard rail refused a flood or a fault (allow-list, consent, ceiling)
    ├── SandboxError               the embedded staging school could not do what was asked
    │   └── ComponentFailed        one component did not start or answer (names it and says why)
    ├── FaultError                 a fault could not be injected, verified or reverted
    ├── ChannelError               a people channel could not send or verify (a finding, not a crash)
    ├── MonitoringUnreachable      Prometheus or Alertmanager could not be read (detection "unknown")
    ├── RecordsError               the records store refused or is unsafe (pragmas, chain broken)
    │   ├── RecordsUnavailable     the records cannot be opened as given (URL, file, server) (exit 2)
    │   └── UnknownDrill           no drill with the id given (exit 2)
    └── Stopped                    the kill switch, a signal or STOP DRILL ended the work (exit 4)

Exit codes, the same for every command (docs/exit-codes.md): 0 done; 1 an expectation not met
or something left wrong (the root's code); 2 bad input, nothing done (``InvalidInput``,
``RecordsUnavailable``); 3 refused by a guard rail (``GuardRefusal``); 4 interrupted
(``Stopped``).

Where a problem has a place, ``where`` names it (``file:line: field``) so the message reads
``drills/x.yaml:12: channels[0].audience: expected a list of group names``.
"""

from __future__ import annotations

#: The exit codes of every command (docs/exit-codes.md).
EXIT_DONE = 0
EXIT_NOT_MET = 1
EXIT_BAD_INPUT = 2
EXIT_REFUSED = 3
EXIT_INTERRUPTED = 4


class EntdrillError(Exception):
    """Root of every error entdrill raises on purpose."""

    exit_code = EXIT_NOT_MET

    def __init__(self, message: str, *, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class InvalidInput(EntdrillError):
    """Input is wrong; nothing has been done yet."""

    exit_code = EXIT_BAD_INPUT


class InvalidConfig(InvalidInput):
    """A configuration value or file is wrong."""


class InvalidArgument(InvalidInput):
    """A command-line option or an activity argument is wrong."""


class InvalidPlan(InvalidInput):
    """A drill plan is wrong; ``problems`` lists every problem found, not just the first."""

    def __init__(
        self, message: str, *, problems: list[str] | None = None, where: str | None = None
    ):
        super().__init__(message, where=where)
        self.problems = problems or [message]

    def __str__(self) -> str:
        if len(self.problems) == 1:
            return self.problems[0]
        return "\n".join([f"{len(self.problems)} problems:", *self.problems])


class GuardRefusal(EntdrillError):
    """A guard rail refused: ``rule`` names which one (allow-list, consent, ceiling, kill switch)."""

    exit_code = EXIT_REFUSED

    def __init__(self, message: str, *, rule: str, where: str | None = None) -> None:
        super().__init__(message, where=where)
        self.rule = rule


class SandboxError(EntdrillError):
    """The embedded staging school could not do what was asked."""


class ComponentFailed(SandboxError):
    """A sandbox component did not start or did not answer."""

    def __init__(self, component: str, reason: str, *, log_tail: str = "") -> None:
        message = f"sandbox component {component!r} failed: {reason}"
        if log_tail:
            message += f"\n--- last lines of its log ---\n{log_tail}"
        super().__init__(message)
        self.component = component
        self.reason = reason
        self.log_tail = log_tail


class FaultError(EntdrillError):
    """A fault could not be injected, verified or reverted."""


class ChannelError(EntdrillError):
    """A people channel could not send or verify."""


class MonitoringUnreachable(EntdrillError):
    """Prometheus or Alertmanager could not be read: what they would have said is unknown."""


class RecordsError(EntdrillError):
    """The records store refused, is configured unsafely, or its hash chain is broken."""


class RecordsUnavailable(RecordsError):
    """The records cannot be opened as given: a URL that does not place a database, a file that
    is missing or not a database, a server that refuses. Nothing was read or written."""

    exit_code = EXIT_BAD_INPUT


class UnknownDrill(RecordsError):
    """No drill with the id given: bad input, nothing was read or written."""

    exit_code = EXIT_BAD_INPUT


class Stopped(EntdrillError):
    """The kill switch (or Ctrl-C, SIGTERM, STOP DRILL) ended the work."""

    exit_code = EXIT_INTERRUPTED

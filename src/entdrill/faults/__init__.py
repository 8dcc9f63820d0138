"""Faults injected into the staging ENT, and the guarantee that none outlives its experiment.

* :mod:`.ledger`: the durable record, written before each injection;
* :mod:`.servers` and :mod:`.video`: the injectors (validate, record, inject, verify);
* :mod:`.undo`: declarative undo specs and the operations executing them;
* :mod:`.recovery`: :func:`inject`, :func:`recover`, :func:`recover_all`;
* :mod:`.watch`: what the staging control does about faults during a ``chaos run``.
"""

from entdrill.faults.ledger import FaultEntry, Ledger
from entdrill.faults.recovery import RecoveryReport, recover, recover_all

__all__ = ["FaultEntry", "Ledger", "RecoveryReport", "recover", "recover_all"]

"""What a run acts on: the seam through which the rest of entdrill knows the embedded sandbox.

Outside ``entdrill.sandbox`` itself, only this package (and the ``entdrill sandbox`` command, and
the test helpers of :mod:`entdrill.testing`) import the sandbox; ``tests/test_layers.py`` keeps
it so. :class:`~entdrill.targets.base.LocalTarget` is what entdrill needs of a school run on this
machine; :mod:`entdrill.targets.sandbox` is the sandbox behind it.
"""

from entdrill.targets.base import LocalTarget

__all__ = ["LocalTarget"]

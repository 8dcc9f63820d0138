"""Guard rails: who may be flooded, how hard, and the switch that stops it all.

``allowlist`` (target hosts), ``consent`` (the token the target serves), ``ceiling`` (the highest
rate a plan may ask) and ``killswitch`` (a machine-wide registry of running floods, drills and
experiments, and ``entdrill stop``). A refusal raises :class:`entdrill.errors.GuardRefusal`
naming the rule, before any request reaches the target.
"""

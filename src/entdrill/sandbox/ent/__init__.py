"""The sandbox's ENT: a CAS server and a portal in one aiohttp app, run as N replica processes.

Modules: ``app`` (the application and its entry point), ``cas`` and ``portal`` (the endpoints),
``replica`` (one process's wiring), ``store`` with ``sqlite_store`` and ``redis_store`` (the
state the replicas share), ``sessions`` (that state, typed), ``passwords`` and ``admission``
(what makes a login cost CPU, and the finite capacity), ``services`` (the CAS service registry),
``validation`` (CAS XML), ``school`` (homework and messages) and ``pages`` (HTML).
"""

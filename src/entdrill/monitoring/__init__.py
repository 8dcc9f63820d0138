"""Monitoring in the loop: what Alertmanager said while a drill broke things.

- :mod:`alerts`: Alertmanager's API v2 read, and a watch that polls it through a drill;
- :mod:`detection`: pure: which injected fault or storm was detected, after how long, and
  when its alert resolved after the rollback ("unknown" when Alertmanager could not be read).
"""

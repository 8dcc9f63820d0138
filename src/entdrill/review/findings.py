"""Open findings with their owners (pure), grouped so that a finding repeated drill after drill
reads as one line: same ``key`` (else same title), most severe first, then oldest first.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from entdrill.records import SEVERITIES, Finding
from entdrill.review.model import FindingGroup


def open_groups(findings: Iterable[Finding], period: Collection[str]) -> tuple[FindingGroup, ...]:
    """The open findings among ``findings``, grouped; ``period`` holds the ids of the review's
    drills (a group is *in the period* when one of its findings comes from one of them)."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.status == "open":
            groups.setdefault(finding.key or f"title:{finding.title}", []).append(finding)
    built = [_group(key, found, period) for key, found in groups.items()]
    return tuple(sorted(built, key=lambda g: (SEVERITIES.index(g.severity), g.first_opened, g.key)))


def _group(key: str, found: list[Finding], period: Collection[str]) -> FindingGroup:
    found.sort(key=lambda f: (f.created_at, f.id))
    latest = found[-1]
    return FindingGroup(
        key=key,
        title=latest.title,
        severity=min((f.severity for f in found), key=SEVERITIES.index),
        owners=tuple(sorted({f.owner for f in found if f.owner})),
        open_count=len(found),
        first_opened=found[0].created_at,
        last_opened=latest.created_at,
        latest_drill_id=latest.drill_id,
        detail=latest.detail,
        in_period=any(f.drill_id in period for f in found),
    )

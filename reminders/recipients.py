"""Who may receive mail about a unit: the Directory a scan reads once (reminders.scan and
reminders.record_deadlines share it)."""

from __future__ import annotations

from collections import defaultdict

from ktgs.models import Organization, Role
from reminders.writer import Recipient

STEP = Organization.steplen


class Directory:
    """Who may receive mail about a unit: staff and leaders with an address, by the path
    of the unit their role is on. Read once per scan (two queries)."""

    def __init__(self) -> None:
        self._by_kind: dict[str, dict[str, list[Recipient]]] = {}

    def _load(self, kind: str) -> dict[str, list[Recipient]]:
        if kind not in self._by_kind:
            found: dict[str, list[Recipient]] = defaultdict(list)
            roles = (
                Role.objects.filter(kind=kind, user__is_active=True)
                .exclude(user__email="")
                .order_by("organization__path", "user_id")
                .values_list("organization__path", "user_id", "user__email", "user__language")
            )
            for path, user_id, email, language in roles:
                found[path].append(Recipient(user_id, email, language))
            self._by_kind[kind] = found
        return self._by_kind[kind]

    def staff_for(self, path: str) -> list[Recipient]:
        """The staff who keep the unit's records: those of the unit itself, else of the
        nearest unit above it that has staff (their role reaches the unit)."""
        staff = self._load(Role.Kind.STAFF)
        for end in range(len(path), 0, -STEP):
            if staff.get(path[:end]):
                return staff[path[:end]]
        return []

    def leaders_above(self, path: str) -> list[list[Recipient]]:
        """Leaders of the units above `path` that have any, nearest first: the parent's
        (or the nearest ancestor's with leaders), then one level further, and so on."""
        leaders = self._load(Role.Kind.LEADER)
        return [
            leaders[path[:end]]
            for end in range(len(path) - STEP, 0, -STEP)
            if leaders.get(path[:end])
        ]

    def leaders(self) -> dict[str, list[Recipient]]:
        return self._load(Role.Kind.LEADER)

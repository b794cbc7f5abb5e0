"""Materialised paths as treebeard writes them, computed here for units inserted in bulk."""

from __future__ import annotations

from ktgs.models import Organization

STEPLEN = Organization.steplen
ALPHABET = Organization.alphabet


_STEP_CACHE: dict[int, str] = {}


def step(position: int) -> str:
    """The path step of the `position`-th child (1-based), as treebeard writes it."""
    cached = _STEP_CACHE.get(position)
    if cached is not None:
        return cached
    if not 0 < position < len(ALPHABET) ** STEPLEN:
        raise ValueError(f"no path step for child number {position}")
    digits = []
    number = position
    while number:
        number, rest = divmod(number, len(ALPHABET))
        digits.append(ALPHABET[rest])
    text = "".join(reversed(digits)).rjust(STEPLEN, ALPHABET[0])
    _STEP_CACHE[position] = text
    return text


def step_number(text: str) -> int:
    """Inverse of `step` for the last step of a path."""
    number = 0
    for char in text[-STEPLEN:]:
        number = number * len(ALPHABET) + ALPHABET.index(char)
    return number


def next_root_path() -> str:
    last = (
        Organization.objects.filter(depth=1).order_by("-path").values_list("path", flat=True)
    ).first()
    return step(step_number(last) + 1 if last else 1)


def next_child_path(parent: Organization) -> str:
    last = (
        Organization.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    return parent.path + step(step_number(last) + 1 if last else 1)

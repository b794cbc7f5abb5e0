"""`<id:pk>` in the pages' URLs: an object id as PostgreSQL's integer primary keys hold
it. Django's `<int:…>` takes any run of digits, and an id past 2³¹−1 reached the
database ("integer out of range"; OverflowError on SQLite) and answered 500; this one
does not match it, so the URL answers 404 like any id that does not exist. Registered
once, in ktgs/urls.py, before the apps' URL confs are included."""

from __future__ import annotations

# The largest id PostgreSQL's integer primary keys hold (ktgs.api.MAX_ID is the same).
MAX_ID = 2_147_483_647


class IdConverter:
    regex = "[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError(value)  # the resolver takes it as "no match": 404
        return number

    def to_url(self, value: int | str) -> str:
        return str(int(value))

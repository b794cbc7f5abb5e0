"""Search as people type: without diacritics, in any case, by prefix and by fragment.

One rule, `fold`, turns a text into its search form: Unicode NFD, combining marks dropped
(the tones and the hat, breve and horn of ă â ê ô ơ ư), đ/Đ → d, lower case, runs of
white space as one space. "Sở Tài chính" and "so tai chinh" fold alike, and so does a
name typed with decomposed accents.

The folded text of a row's searchable fields is stored beside it, in `search_text`
(the `Searchable` mixin fills it on every save; the bulk writers, which do not call save,
fill it with `search_text_of`). A search folds what was typed the same way and looks for
each of its words inside that column (`matching`): a plain `LIKE '%word%'`, the same on
PostgreSQL and SQLite, with no database extension and no second rule for one engine.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from functools import reduce
from operator import and_
from typing import Any

from django.db import connections, models
from django.db.models import F, Q, Value
from django.db.models.functions import Lower, Replace

# Never more words than this from one query: each is one more LIKE on the column.
MAX_TERMS = 8
# Đ and đ are letters of their own, not D/d with a mark: NFD leaves them whole. The
# Icelandic eth (Ð, U+00D0) looks the same and is often typed for Đ.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d", "Ð": "d", "ð": "d"})


def fold(text: str | None) -> str:
    """The search form of `text`: without diacritics, lower case, single-spaced."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text)
    # Marks dropped; control characters (a NUL byte that neither engine stores) as spaces.
    bare = "".join(
        " " if unicodedata.category(char) in ("Cc", "Cf") else char
        for char in decomposed
        if not unicodedata.combining(char)
    )
    return " ".join(bare.translate(_LETTERS).lower().split())


def terms(query: str | None) -> list[str]:
    """The words of a typed query, folded (at most MAX_TERMS, duplicates once)."""
    words = dict.fromkeys(fold(query).split())
    return list(words)[:MAX_TERMS]


def matching(query: str | None, field: str = "search_text") -> Q:
    """Rows whose folded `field` contains every word of `query` (anywhere: a prefix, a
    word inside a name, a fragment of a code such as "kcq.06"). An empty query matches
    every row."""
    words = terms(query)
    if not words:
        return Q()
    return reduce(and_, (Q(**{f"{field}__contains": word}) for word in words))


def folded_number(field: str) -> Lower:
    """A document number (`12-QĐ/ĐUK`) folded in SQL, for a search in that one field:
    numbers are ASCII but for Đ/đ, so replacing those and lowering (which both engines do
    for ASCII) gives what `fold` gives. Compare it with `matching(query, alias)`."""
    number = Replace(Replace(F(field), Value("Đ"), Value("d")), Value("đ"), Value("d"))
    return Lower(number)


def search_text_of(model: type[Searchable], values: Mapping[str, Any]) -> str:
    """The `search_text` of a row of `model` from its field values (by field name or
    attname): what the bulk writers store for rows they insert without save()."""
    return fold(" ".join(str(values.get(name) or "") for name in model.SEARCH_FIELDS))


def search_column() -> models.TextField:
    """The `search_text` field of a Searchable model (written by the code, never typed)."""
    return models.TextField(editable=False, blank=True, default="")


class Searchable:
    """Mixed into a model (before its other bases) whose `SEARCH_FIELDS` are searched
    without diacritics through its stored `search_text` column (`search_text =
    search_column()`), kept in step on every save: an `update_fields` save that touches a
    searched field writes the column too. A plain class, not an abstract model: the type
    checker's Django plugin loses treebeard's manager when another model base comes in."""

    SEARCH_FIELDS: tuple[str, ...] = ()
    search_text: str

    def save(self, *args, **kwargs):
        self.refresh_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(self.SEARCH_FIELDS):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)  # type: ignore[misc]

    def refresh_search_text(self) -> None:
        # A row read with some searched fields deferred keeps its stored text: folding
        # what was not loaded would blank it.
        if all(name in self.__dict__ for name in self.SEARCH_FIELDS):
            self.search_text = search_text_of(type(self), self.__dict__)


def fill_search_text(objects: Iterable[Searchable]) -> None:
    """Fill `search_text` on objects about to be written by bulk_create / bulk_update."""
    for obj in objects:
        obj.refresh_search_text()


def backfill(model: Any, fields: tuple[str, ...], *, batch_size: int = 2000) -> None:
    """Fill `search_text` of every row of `model` from `fields`: the data migrations that
    add the column (given a migration's model, which knows no SEARCH_FIELDS). One UPDATE
    per row sent in batches (executemany, pipelined by psycopg): bulk_update's CASE over
    the whole batch costs time in the square of its size."""
    manager = model._base_manager
    table = connections[manager.db].ops.quote_name(model._meta.db_table)
    pk_column = connections[manager.db].ops.quote_name(model._meta.pk.column)
    sql = f"UPDATE {table} SET search_text = %s WHERE {pk_column} = %s"
    rows = manager.values_list("pk", *fields).order_by("pk")
    with connections[manager.db].cursor() as cursor:
        batch: list[tuple[str, int]] = []
        for pk, *values in rows.iterator(chunk_size=batch_size):
            batch.append((fold(" ".join(str(value or "") for value in values)), pk))
            if len(batch) >= batch_size:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)

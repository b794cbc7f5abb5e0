"""The bulk writers (the demo and synthetic trees' COPY, the synthetic year's tables, the
demo's cases) fill the search column as a save() would: every row the demo writes is
found by search (ktgs.search)."""

from io import StringIO

import time_machine
from django.core.management import call_command

from cases.models import Case, CaseSubject
from ktgs import search
from ktgs.models import Organization
from plans.models import Programme
from tests.devtools.test_demo_year import NOON


def test_every_row_the_demo_writes_carries_its_search_text(db):
    with time_machine.travel(NOON, tick=False):
        call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    for model in (Organization, Programme, Case, CaseSubject):
        rows = list(model.objects.values("search_text", *model.SEARCH_FIELDS))
        assert rows, model
        wrong = [row for row in rows if row["search_text"] != search.search_text_of(model, row)]
        assert wrong == [], model
    # And the searches find them.
    unit = Organization.objects.filter(level=Organization.Level.CELL).first()
    assert unit.pk in {
        found.pk for found in Organization.objects.filter(search.matching(search.fold(unit.name)))
    }
    assert Organization.objects.filter(search.matching("dang uy")).exists()
    assert Case.objects.filter(search.matching("kiem tra")).exists()

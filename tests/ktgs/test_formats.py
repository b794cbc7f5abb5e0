"""Vietnamese formats: dd/mm/yyyy, 1.234.567,89 and percentages such as 57,58%."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import formats, translation

from ktgs.templatetags.ktgs_format import number, percent

D = Decimal


@pytest.fixture
def vi():
    with translation.override("vi"):
        yield


@pytest.fixture
def en():
    with translation.override("en"):
        yield


class DayForm(forms.Form):
    day = forms.DateField()


def render(source: str, **context) -> str:
    return Template("{% load ktgs_format %}" + source).render(Context(context))


def test_a_date_typed_day_first_is_read_day_first(vi):
    form = DayForm({"day": "05/03/2025"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == datetime.date(2025, 3, 5)


def test_a_date_with_a_month_13_is_refused_rather_than_read_month_first(vi):
    assert not DayForm({"day": "05/13/2025"}).is_valid()
    assert DayForm({"day": "13/05/2025"}).is_valid()


def test_dates_and_numbers_print_the_vietnamese_way(vi):
    day = datetime.date(2025, 3, 5)
    assert formats.localize(day) == "05/03/2025"
    assert formats.date_format(day, "SHORT_DATE_FORMAT") == "05/03/2025"
    assert formats.localize(1234567) == "1.234.567"
    assert formats.localize(D("1234567.89")) == "1.234.567,89"
    assert formats.number_format(D("1234567.89"), 2, use_l10n=True) == "1.234.567,89"


def test_the_template_prints_values_the_vietnamese_way(vi):
    out = Template("{{ day }}|{{ n }}|{{ x }}").render(
        Context({"day": datetime.date(2025, 3, 5), "n": 1234567, "x": D("1234567.89")})
    )
    assert out == "05/03/2025|1.234.567|1.234.567,89"


def test_english_keeps_english_separators(en):
    assert formats.localize(D("1234567.89")) == "1,234,567.89"


# Cases from a real bloc committee's report (DESIGN.md §3) and the rounding edges.
PERCENT_CASES = [
    (D(19) / D(33), "57,58%", "57.58%"),
    (D(17) / D(29), "58,62%", "58.62%"),
    (D(2) / D(3), "66,67%", "66.67%"),
    (D(18) / D(152), "11,84%", "11.84%"),
    (D(1), "100%", "100%"),
    (1, "100%", "100%"),
    (D(0), "0%", "0%"),
    (0, "0%", "0%"),
    (D("0.123450"), "12,35%", "12.35%"),  # half-up at the third decimal
    (D("0.123449"), "12,34%", "12.34%"),
    (D("0.00005"), "0,01%", "0.01%"),
    (D("0.00004"), "0%", "0%"),
    (D("0.575"), "57,50%", "57.50%"),  # both decimals kept unless both are zero
    (D("0.999999"), "100%", "100%"),
    (D("4") / D("3"), "133,33%", "133.33%"),  # over-achievement is shown as is
    (D(12), "1.200%", "1,200%"),
    (0.5758, "57,58%", "57.58%"),  # a float is read as written
    (0.123450, "12,35%", "12.35%"),  # float 0.12345 is 0.1234499… in binary
    (None, "—", "—"),
]


@pytest.mark.parametrize(("ratio", "vietnamese", "english"), PERCENT_CASES)
def test_percent(ratio, vietnamese, english):
    with translation.override("vi"):
        assert percent(ratio) == vietnamese
        assert render("{{ r|percent }}", r=ratio) == vietnamese
    with translation.override("en"):
        assert percent(ratio) == english


NUMBER_CASES = [
    (1234567, None, "1.234.567", "1,234,567"),
    (D("1234567.89"), None, "1.234.567,89", "1,234,567.89"),
    (D("1234567.885"), 2, "1.234.567,89", "1,234,567.89"),  # half-up, not truncated
    (D("1234567.5"), 0, "1.234.568", "1,234,568"),
    (999, None, "999", "999"),
    (0, None, "0", "0"),
    (-1234, None, "-1.234", "-1,234"),
    (None, None, "—", "—"),
]


@pytest.mark.parametrize(("value", "places", "vietnamese", "english"), NUMBER_CASES)
def test_number(value, places, vietnamese, english):
    with translation.override("vi"):
        assert number(value, places) == vietnamese
        source = "{{ v|number }}" if places is None else "{{ v|number:" + str(places) + " }}"
        assert render(source, v=value) == vietnamese
    with translation.override("en"):
        assert number(value, places) == english


def test_garbage_prints_nothing_rather_than_failing(vi):
    assert percent("abc") == ""
    assert number("abc") == ""

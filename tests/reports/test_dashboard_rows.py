"""The dashboard's rows are written in Python (reports.templatetags.dashboard_rows), and
the figures in them are not escaped: ktgs.figures writes only digits, separators, "%", the
minus sign and "—", in which HTML escaping changes nothing, in either language."""

from fractions import Fraction
from html import escape

from hypothesis import given
from hypothesis import strategies as st

from ktgs import figures

LANGUAGES = st.sampled_from(["vi", "en", "en-us"])


@given(st.integers(min_value=-(10**12), max_value=10**12), LANGUAGES)
def test_a_count_needs_no_escaping(value, language):
    text = figures.format_count(value, language)
    assert escape(text) == text


@given(
    st.fractions(min_value=-(10**6), max_value=10**6, max_denominator=10**6) | st.none(),
    LANGUAGES,
)
def test_a_percentage_needs_no_escaping(value, language):
    text = figures.format_percent(value, language)
    assert escape(text) == text


@given(st.fractions(min_value=-(10**6), max_value=10**6, max_denominator=10**6), LANGUAGES)
def test_an_amount_needs_no_escaping(value: Fraction, language):
    text = figures.format_amount(value, language)
    assert escape(text) == text

"""`{{ coverage|coverage_text }}` → "19/33 tổ chức, đạt 57,58%"; `{{ n|sentence_count }}` →
"03": the wording of reports.wording in templates."""

from django import template

from reports import wording

register = template.Library()


@register.filter
def coverage_text(coverage) -> str:
    if coverage is None:
        return wording.coverage_text(0, 0)
    return wording.coverage_text(coverage.completed, coverage.planned)


@register.filter
def sentence_count(value: int) -> str:
    return wording.sentence_count(value)

"""`{{ line.counts|count_unit:line.quantity }}` → "cuộc", "tổ chức", "đảng viên", "cấp ủy
viên" in the active language: the word every figure of a target is written with, so that
no figure reads as a bare number of "chỉ tiêu"."""

from django import template

from reports import wording

register = template.Library()


@register.filter
def count_unit(counts: str, amount=2) -> str:
    return wording.count_unit_label(counts, amount)

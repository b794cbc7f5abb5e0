"""The error summary of a failed save (ktgs/partials/error_summary.html): every error of the
form and of its formset rows, each a link to its field, nothing for a form without errors."""

from django import forms
from django.template.loader import render_to_string
from django.utils import translation

from ktgs.templatetags.ktgs_forms import error_items


class CaseLikeForm(forms.Form):
    title = forms.CharField(label="Nội dung")
    year = forms.IntegerField(
        label="Năm", min_value=2000, error_messages={"min_value": "Năm phải từ 2000."}
    )

    def clean(self):
        raise forms.ValidationError("Dữ liệu đã bị người khác thay đổi.")


class RowForm(forms.Form):
    member_name = forms.CharField(label="Họ và tên")


RowFormSet = forms.formset_factory(RowForm, extra=0)


def rows(*names):
    data = {"rows-TOTAL_FORMS": str(len(names)), "rows-INITIAL_FORMS": str(len(names))}
    data.update({f"rows-{i}-member_name": name for i, name in enumerate(names)})
    return RowFormSet(data, prefix="rows")


def test_every_error_is_listed_in_page_order_with_a_link_to_its_field():
    form = CaseLikeForm({"title": "", "year": "1999"})
    formset = rows("Lê Văn Kỷ", "")
    with translation.override("vi"):
        items = error_items(form, formset)
    assert items == [
        {"text": "Dữ liệu đã bị người khác thay đổi.", "href": ""},
        {"text": "Nội dung: Trường này là bắt buộc.", "href": "#id_title"},
        {"text": "Năm: Năm phải từ 2000.", "href": "#id_year"},
        {"text": "Dòng 2 — Họ và tên: Trường này là bắt buộc.", "href": "#id_rows-1-member_name"},
    ]


def test_the_partial_lists_them_with_a_count_and_takes_focus():
    form = CaseLikeForm({"title": "", "year": "2026"})
    with translation.override("vi"):
        html = render_to_string("ktgs/partials/error_summary.html", {"form": form})
    assert 'class="error-summary"' in html and "data-focus" in html
    assert "Chưa lưu được: có 2 lỗi cần sửa" in html
    assert '<a href="#id_title">Nội dung: Trường này là bắt buộc.</a>' in html
    with translation.override("en"):
        html = render_to_string("ktgs/partials/error_summary.html", {"form": form})
    assert "Not saved: 2 errors to correct" in html


def test_nothing_shows_for_an_unbound_form_or_one_without_errors():
    class Plain(forms.Form):
        title = forms.CharField()

    assert render_to_string("ktgs/partials/error_summary.html", {"form": Plain()}).strip() == ""
    valid = Plain({"title": "Kiểm tra"})
    assert render_to_string("ktgs/partials/error_summary.html", {"form": valid}).strip() == ""
    assert render_to_string("ktgs/partials/error_summary.html", {}).strip() == ""

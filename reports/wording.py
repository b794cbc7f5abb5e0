"""How ktgs words its figures, for the pages, the mails, the PDF and the XLSX: the labels
of activity kinds (the plans models' choices) and the word after a count of what a target
counts ("2 cuộc", "3 cấp ủy viên"), why a unit is lagging, coverage per kind of unit
("Đảng bộ cơ sở: 19/33 tổ chức, đạt 57,58%") and what a body did ("Ban thường vụ: kiểm
tra 03 tổ chức đảng, 05 cấp ủy viên (hoàn thành 100% chỉ tiêu)"). reports.progress
computes the numbers and holds no word.

Counts inside such a sentence are written as the reports write them, on two digits at
least ("03", "12", "152"); tables and fractions ("19/33") keep plain numbers. Every word
goes through gettext; the numbers through ktgs.figures."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from fractions import Fraction

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, npgettext

from ktgs import figures
from plans.models import ActivityKind, Target
from reports import progress

# The verb of each activity kind in a sentence ("Ban thường vụ: kiểm tra 03 tổ chức
# đảng"): a compliance inspection is the reports' plain "kiểm tra".
ACTIVITY_VERBS = {
    "inspection_compliance": gettext_lazy("kiểm tra"),
    "inspection_violation": gettext_lazy("kiểm tra khi có dấu hiệu vi phạm"),
    "inspection_ktgs_duty": gettext_lazy(
        "kiểm tra việc thực hiện nhiệm vụ kiểm tra, giám sát, thi hành kỷ luật"
    ),
    "inspection_finance": gettext_lazy("kiểm tra tài chính đảng"),
    "inspection_dues": gettext_lazy("kiểm tra thu, nộp, quản lý đảng phí"),
    "inspection_assets": gettext_lazy("kiểm tra, giám sát kê khai tài sản, thu nhập"),
    "supervision_thematic": gettext_lazy("giám sát chuyên đề"),
    "supervision_regular": gettext_lazy("giám sát thường xuyên"),
    "denunciation": gettext_lazy("giải quyết tố cáo"),
    "discipline_complaint": gettext_lazy("giải quyết khiếu nại kỷ luật"),
}


def _language() -> str:
    return translation.get_language() or "vi"


def _in(language: str | None):
    """The words of `language` (the active one when None)."""
    return translation.override(language) if language else nullcontext()


def kind_label(kind: str, language: str | None = None) -> str:
    """The activity kind's label (ActivityKind's choice); an unknown code as itself."""
    with _in(language):
        try:
            return str(ActivityKind(kind).label)
        except ValueError:
            return kind


# The word written after a number of what a target counts, one per Target.Counts choice
# (Vietnamese has one form; English a singular and a plural).
COUNT_WORDS: dict[str, Callable[[int], str]] = {
    Target.Counts.CASES: lambda n: npgettext("sau số", "cuộc", "cuộc", n),
    Target.Counts.ORGANIZATIONS: lambda n: npgettext("sau số", "tổ chức", "tổ chức", n),
    Target.Counts.MEMBERS: lambda n: npgettext("sau số", "đảng viên", "đảng viên", n),
    Target.Counts.COMMITTEE_MEMBERS: lambda n: npgettext("sau số", "cấp ủy viên", "cấp ủy viên", n),
}


def count_unit_label(counts: str, amount: int | Fraction = 2, language: str | None = None) -> str:
    """ "cuộc", "tổ chức", "đảng viên", "cấp ủy viên" (English: singular for exactly 1);
    an unknown code is shown as itself."""
    word = COUNT_WORDS.get(counts)
    if word is None:
        return counts
    with _in(language):
        return word(1 if amount == 1 else 2)


def describe_lag_reason(reason: progress.LagReason, language: str | None = None) -> str:
    """ "Chỉ tiêu Giám sát chuyên đề: còn thiếu 2 cuộc, còn 14 ngày đến hạn"."""
    with _in(language):
        code = _language()
        days = abs(reason.days_to_due)
        if reason.days_to_due > 0:
            when = ngettext("còn %(days)s ngày đến hạn", "còn %(days)s ngày đến hạn", days) % {
                "days": figures.format_count(days, code)
            }
        elif reason.days_to_due == 0:
            when = _("đến hạn hôm nay")
        else:
            when = ngettext("đã quá hạn %(days)s ngày", "đã quá hạn %(days)s ngày", days) % {
                "days": figures.format_count(days, code)
            }
        return _("Chỉ tiêu %(kind)s: còn thiếu %(short)s %(what)s, %(when)s") % {
            "kind": kind_label(reason.kind),
            "short": figures.format_count(reason.short_by, code),
            "what": count_unit_label(reason.counts, reason.short_by),
            "when": when,
        }


def describe_lag(reasons, language: str | None = None) -> str:
    """Why a unit is lagging, one sentence per target, joined by "; ": a LagResult's
    reasons, or the reasons stored as dicts in the roll-up table."""
    return "; ".join(
        describe_lag_reason(
            reason if isinstance(reason, progress.LagReason) else progress.LagReason(**reason),
            language,
        )
        for reason in reasons
    )


def sentence_count(value: int) -> str:
    """A count inside a report's sentence: "03", "12", "1.234" (Vietnamese reports write
    two digits at least); English keeps the plain number."""
    language = _language()
    text = figures.format_count(value, language)
    english = language.replace("_", "-").split("-")[0].lower() == "en"
    if not english and 0 <= value < 10:
        text = f"0{text}"
    return text


def coverage_text(completed: int, planned: int) -> str:
    """ "19/33 tổ chức, đạt 57,58%" ("—" when no unit had targets)."""
    if not planned:
        return figures.NO_PERCENTAGE
    language = _language()
    return _("%(completed)s/%(planned)s tổ chức, đạt %(percent)s") % {
        "completed": figures.format_count(completed, language),
        "planned": figures.format_count(planned, language),
        "percent": figures.format_percent(Fraction(completed, planned), language),
    }


def coverage_line(label: str, completed: int, planned: int) -> str:
    """ "Đảng bộ cơ sở: 19/33 tổ chức, đạt 57,58%"."""
    return _("%(kind)s: %(figures)s") % {
        "kind": label,
        "figures": coverage_text(completed, planned),
    }


def subjects_text(cases: int, organizations: int, members: int, committee_members: int) -> str:
    """What was inspected or supervised, as the reports count it: "03 tổ chức đảng, 05
    cấp ủy viên" (every member a committee member), "01 tổ chức đảng, 04 đảng viên (trong
    đó 02 cấp ủy viên)"; the cases ("02 cuộc") when no subject was recorded."""
    parts = []
    if organizations:
        parts.append(_("%(n)s tổ chức đảng") % {"n": sentence_count(organizations)})
    if members and committee_members == members:
        parts.append(_("%(n)s cấp ủy viên") % {"n": sentence_count(members)})
    elif members and committee_members:
        parts.append(
            _("%(n)s đảng viên (trong đó %(c)s cấp ủy viên)")
            % {"n": sentence_count(members), "c": sentence_count(committee_members)}
        )
    elif members:
        parts.append(_("%(n)s đảng viên") % {"n": sentence_count(members)})
    if not parts:
        parts.append(_("%(n)s cuộc") % {"n": sentence_count(cases)})
    return ", ".join(parts)


def completion_text(ratio: Fraction | None, counts_label: str = "") -> str:
    """ "hoàn thành 100% chỉ tiêu", "đạt 66,67% chỉ tiêu"; with `counts_label`, the
    targets of one counting unit among several: "đạt 50% chỉ tiêu tính theo cuộc"."""
    if ratio is None:
        return ""
    percent = figures.format_percent(ratio, _language())
    if counts_label:
        if ratio >= 1:
            return _("hoàn thành %(percent)s chỉ tiêu tính theo %(unit)s") % {
                "percent": percent,
                "unit": counts_label,
            }
        return _("đạt %(percent)s chỉ tiêu tính theo %(unit)s") % {
            "percent": percent,
            "unit": counts_label,
        }
    if ratio >= 1:
        return _("hoàn thành %(percent)s chỉ tiêu") % {"percent": percent}
    return _("đạt %(percent)s chỉ tiêu") % {"percent": percent}


def activity_line(body_label: str, kind: str, subjects: str, completions: list[str]) -> str:
    """ "Ban thường vụ: kiểm tra 03 tổ chức đảng, 05 cấp ủy viên (hoàn thành 100% chỉ
    tiêu)"; without a parenthesis when the body set no target of the kind."""
    text = _("%(body)s: %(activity)s %(subjects)s") % {
        "body": body_label,
        "activity": ACTIVITY_VERBS.get(kind, kind),
        "subjects": subjects,
    }
    if completions:
        text += f" ({'; '.join(completions)})"
    return text


def body_activity_line(body_label: str, activity) -> str:
    """A reports.queries.period_reports.BodyActivity as the report's sentence: the
    subjects of the body's own cases of the kind, and the completion of its own targets
    of the kind (one per counting unit, when they count several things)."""
    language = _language()
    several = len(activity.targets) > 1
    completions = [
        completion_text(
            target.completion,
            count_unit_label(target.counts, 2, language) if several else "",
        )
        for target in activity.targets
        if target.quantity
    ]
    if activity.cases:
        subjects = subjects_text(
            activity.cases, activity.organizations, activity.members, activity.committee_members
        )
    else:
        subjects = _("chưa thực hiện cuộc nào")
    return activity_line(body_label, activity.kind, subjects, completions)

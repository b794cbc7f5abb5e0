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
from functools import lru_cache

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
    """The words of `language` (the active one when None). Nothing to switch when it is
    already the active one: the pages pass their own language, and a province's dashboard
    words ~40 lag reasons and ~100 count units (an override activates and restores the
    catalogue each time)."""
    if not language or language == translation.get_language():
        return nullcontext()
    return translation.override(language)


def kind_label(kind: str, language: str | None = None) -> str:
    """The activity kind's label (ActivityKind's choice); an unknown code as itself."""
    with _in(language):
        return _kind_label(kind, _language())


# The catalogues do not change while the process runs: a word looked up once per
# language (the active one, passed as the key). A dashboard words a kind and a count unit
# for each of its ~40 lag reasons, and each lookup walks the catalogues and their
# fallbacks (npgettext in Vietnamese, whose catalogue leaves the words as they are
# written: ~10 µs).


@lru_cache(maxsize=256)
def _kind_label(kind: str, language: str) -> str:
    try:
        return str(ActivityKind(kind).label)
    except ValueError:
        return kind


@lru_cache(maxsize=64)
def _count_word(counts: str, one: bool, language: str) -> str:
    return COUNT_WORDS[counts](1 if one else 2)


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
    if counts not in COUNT_WORDS:
        return counts
    with _in(language):
        return _count_word(counts, amount == 1, _language())


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
    with _in(language):  # once for all the reasons
        return "; ".join(
            describe_lag_reason(
                reason if isinstance(reason, progress.LagReason) else progress.LagReason(**reason)
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
    """ "hoàn thành 100% chỉ tiêu kế hoạch", "đạt 66,67% chỉ tiêu kế hoạch", as the
    reports write it; with `counts_label`, the targets of one counting unit among several:
    "đạt 50% chỉ tiêu kế hoạch tính theo cuộc"."""
    if ratio is None:
        return ""
    percent = figures.format_percent(ratio, _language())
    if counts_label:
        if ratio >= 1:
            return _("hoàn thành %(percent)s chỉ tiêu kế hoạch tính theo %(unit)s") % {
                "percent": percent,
                "unit": counts_label,
            }
        return _("đạt %(percent)s chỉ tiêu kế hoạch tính theo %(unit)s") % {
            "percent": percent,
            "unit": counts_label,
        }
    if ratio >= 1:
        return _("hoàn thành %(percent)s chỉ tiêu kế hoạch") % {"percent": percent}
    return _("đạt %(percent)s chỉ tiêu kế hoạch") % {"percent": percent}


def activity_phrase(kind: str, done, targets) -> str:
    """ "kiểm tra 03 tổ chức đảng (hoàn thành 100% chỉ tiêu kế hoạch)": the subjects of
    `done` (anything with cases, organizations, members, committee_members) and the
    completion of `targets` (TargetLines of the kind, one per counting unit, named when
    there are several); "chưa thực hiện cuộc nào" when nothing was done."""
    language = _language()
    several = len(targets) > 1
    completions = [
        completion_text(
            target.completion,
            count_unit_label(target.counts, 2, language) if several else "",
        )
        for target in targets
        if target.quantity
    ]
    if done.cases:
        subjects = subjects_text(
            done.cases, done.organizations, done.members, done.committee_members
        )
    else:
        subjects = _("chưa thực hiện cuộc nào")
    text = f"{ACTIVITY_VERBS.get(kind, kind)} {subjects}"
    if completions:
        text += f" ({'; '.join(completions)})"
    return text


def body_activity_line(body_label: str, activity) -> str:
    """A reports.queries.period_reports.BodyActivity as the report's sentence: the
    subjects of the body's own cases of the kind, and the completion of its own targets
    of the kind (one per counting unit, when they count several things)."""
    return _("%(body)s: %(activity)s") % {
        "body": body_label,
        "activity": activity_phrase(activity.kind, activity, activity.targets),
    }


def completion_lines(report) -> list[str]:
    """What the whole subtree did per activity kind in the period, with the completion of
    the subtree's targets of the kind, as the reports write it: "kiểm tra 03 tổ chức đảng
    (hoàn thành 100% chỉ tiêu kế hoạch)", "giám sát chuyên đề 02 tổ chức đảng, 02 cấp ủy
    viên (đạt 66,67% chỉ tiêu kế hoạch)"; the kinds with a case or a target."""
    targets: dict[str, list] = {}
    for line in report.targets:
        targets.setdefault(line.kind, []).append(line)
    return [
        activity_phrase(line.kind, line, targets.get(line.kind, []))
        for line in report.lines[:-1]
        if line.cases or targets.get(line.kind)
    ]


def _who(organizations: int, members: int) -> str:
    """ "01 tổ chức đảng, 02 đảng viên" (only the parts that are not zero)."""
    parts = []
    if organizations:
        parts.append(_("%(n)s tổ chức đảng") % {"n": sentence_count(organizations)})
    if members:
        parts.append(_("%(n)s đảng viên") % {"n": sentence_count(members)})
    return ", ".join(parts)


def findings_sentence(findings) -> str:
    """What the inspections on signs of violation found (the subjects inspected are in
    the kind's line), from the report's FindingsLines: "Qua kiểm tra khi có dấu hiệu vi
    phạm: có vi phạm 01 tổ chức đảng, 02 đảng viên; có khuyết điểm 01 đảng viên; phải thi
    hành kỷ luật 01 đảng viên; đã thi hành kỷ luật 01 đảng viên." ("" when nothing was
    found)."""
    lines = {line.who: line for line in findings}
    orgs, members = lines.get("organizations"), lines.get("members")
    if orgs is None or members is None:
        return ""
    parts = []
    for name, words in (
        ("violation", _("có vi phạm")),
        ("shortcomings", _("có khuyết điểm")),
        ("must_discipline", _("phải thi hành kỷ luật")),
        ("disciplined", _("đã thi hành kỷ luật")),
    ):
        who = _who(getattr(orgs, name), getattr(members, name))
        if who:
            parts.append(f"{words} {who}")
    if not parts:
        return ""
    return _("Qua kiểm tra khi có dấu hiệu vi phạm: %(findings)s.") % {"findings": "; ".join(parts)}


# --- the commission's other records (reports.queries.records) ----------------------------

# What a suspension of each kind is said to do, with the count of its subjects.
SUSPENSION_PHRASES: dict[str, Callable[[int], str]] = {
    "party_activity": lambda n: ngettext(
        "đình chỉ sinh hoạt đảng đối với %(n)s đảng viên",
        "đình chỉ sinh hoạt đảng đối với %(n)s đảng viên",
        n,
    ),
    "committee_activity": lambda n: ngettext(
        "đình chỉ sinh hoạt cấp ủy đối với %(n)s cấp ủy viên",
        "đình chỉ sinh hoạt cấp ủy đối với %(n)s cấp ủy viên",
        n,
    ),
    "organization_activity": lambda n: ngettext(
        "đình chỉ hoạt động %(n)s tổ chức đảng", "đình chỉ hoạt động %(n)s tổ chức đảng", n
    ),
}


def _legal_reason_words(reasons: set[str]) -> str:
    """ "bị khởi tố", "bị bắt tạm giam", or both: "bị khởi tố, bắt tạm giam"."""
    if reasons == {"prosecuted"}:
        return _("bị khởi tố")
    if reasons == {"detained"}:
        return _("bị bắt tạm giam")
    return _("bị khởi tố, bắt tạm giam")


def suspension_phrase(kind: str, lines) -> str:
    """The suspensions of one kind (SuspensionLine of that kind, one per reason): "đình
    chỉ sinh hoạt đảng đối với 13 đảng viên bị khởi tố, bắt tạm giam" when every one was
    for prosecution or detention; "… đối với 15 đảng viên (trong đó 13 bị khởi tố, bắt
    tạm giam)" when some were; no reason otherwise."""
    total = sum(line.count for line in lines)
    legal_lines = [line for line in lines if line.reason in ("prosecuted", "detained")]
    legal = sum(line.count for line in legal_lines)
    phrase = SUSPENSION_PHRASES.get(kind)
    text = (phrase(total) if phrase else f"{kind} %(n)s") % {"n": sentence_count(total)}
    if not legal:
        return text
    why = _legal_reason_words({line.reason for line in legal_lines if line.count})
    if legal == total:
        return f"{text} {why}"
    return (
        text + " (" + _("trong đó %(n)s %(why)s") % {"n": sentence_count(legal), "why": why} + ")"
    )


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def records_actions(records) -> list[str]:
    """What the bodies decided in the period (reports.queries.records.BodyRecords), as the
    reports' phrases: "thi hành kỷ luật 05 đảng viên", "thi hành kỷ luật 01 tổ chức đảng",
    one phrase per kind of suspension."""
    total = records.discipline_total
    parts = []
    if total.members:
        parts.append(
            ngettext(
                "thi hành kỷ luật %(n)s đảng viên",
                "thi hành kỷ luật %(n)s đảng viên",
                total.members,
            )
            % {"n": sentence_count(total.members)}
        )
    if total.organizations:
        parts.append(
            ngettext(
                "thi hành kỷ luật %(n)s tổ chức đảng",
                "thi hành kỷ luật %(n)s tổ chức đảng",
                total.organizations,
            )
            % {"n": sentence_count(total.organizations)}
        )
    kinds: dict[str, list] = {}
    for line in records.suspensions:
        kinds.setdefault(line.kind, []).append(line)
    parts.extend(suspension_phrase(kind, lines) for kind, lines in kinds.items())
    return parts


def letters_sentence(records) -> str:
    """ "Tiếp nhận 03 đơn thư kiến nghị, phản ánh." ("" when none): denunciations,
    complaints, then petitions and feedback together, as the reports count them; the
    anonymous and false-name ones among them."""
    received = {line.kind: line.received for line in records.letters}
    parts = []
    if received.get("denunciation"):
        n = received["denunciation"]
        parts.append(ngettext("%(n)s đơn tố cáo", "%(n)s đơn tố cáo", n) % {"n": sentence_count(n)})
    if received.get("discipline_complaint"):
        n = received["discipline_complaint"]
        parts.append(
            ngettext("%(n)s đơn khiếu nại kỷ luật", "%(n)s đơn khiếu nại kỷ luật", n)
            % {"n": sentence_count(n)}
        )
    others = received.get("petition", 0) + received.get("feedback", 0)
    if others:
        parts.append(
            ngettext(
                "%(n)s đơn thư kiến nghị, phản ánh", "%(n)s đơn thư kiến nghị, phản ánh", others
            )
            % {"n": sentence_count(others)}
        )
    if not parts:
        return ""
    text = _("Tiếp nhận %(letters)s") % {"letters": ", ".join(parts)}
    if records.letters_anonymous:
        text += (
            " ("
            + _("trong đó %(n)s đơn nặc danh, mạo tên")
            % {"n": sentence_count(records.letters_anonymous)}
            + ")"
        )
    return text + "."


def denunciations_sentence(records) -> str:
    """ "Giải quyết tố cáo: tiếp nhận 04, đã kết luận 02, đang giải quyết 02; quá hạn 01."
    ("" when there is nothing to say)."""
    d = records.denunciations
    if not (d.received or d.concluded or d.pending or d.overdue):
        return ""
    text = _(
        "Giải quyết tố cáo: tiếp nhận %(received)s, đã kết luận %(concluded)s, "
        "đang giải quyết %(pending)s"
    ) % {
        "received": sentence_count(d.received),
        "concluded": sentence_count(d.concluded),
        "pending": sentence_count(d.pending),
    }
    if d.overdue:
        text += "; " + _("quá hạn %(n)s") % {"n": sentence_count(d.overdue)}
    return text + "."


# The words of each result of a complaint in a sentence.
COMPLAINT_RESULTS = {
    "upheld": gettext_lazy("chuẩn y"),
    "changed": gettext_lazy("thay đổi hình thức kỷ luật"),
    "annulled": gettext_lazy("xóa bỏ kỷ luật"),
}


def complaints_sentence(records) -> str:
    """ "Giải quyết khiếu nại kỷ luật: tiếp nhận 02, đã giải quyết 02 (chuẩn y 01, thay
    đổi hình thức kỷ luật 01)." ("" when none)."""
    decided = records.complaints_decided
    if not (records.complaints_received or decided):
        return ""
    text = _("Giải quyết khiếu nại kỷ luật: tiếp nhận %(received)s, đã giải quyết %(decided)s") % {
        "received": sentence_count(records.complaints_received),
        "decided": sentence_count(decided),
    }
    results = [
        f"{COMPLAINT_RESULTS[result]} {sentence_count(n)}"
        for result, n in records.complaints.items()
        if n and result in COMPLAINT_RESULTS
    ]
    if results:
        text += f" ({', '.join(results)})"
    return text + "."


def records_summary(records, body_label: str = "") -> str:
    """The report's lines on the records of one body or all bodies: "Thi hành kỷ luật 05
    đảng viên; đình chỉ sinh hoạt đảng đối với 13 đảng viên bị khởi tố, bắt tạm giam.
    Tiếp nhận 03 đơn thư kiến nghị, phản ánh." then the denunciations and complaints;
    with `body_label`, after it: "Ủy ban kiểm tra: thi hành kỷ luật …"."""
    sentences = []
    actions = records_actions(records)
    if actions:
        sentences.append(_capitalised("; ".join(actions)) + ".")
    for sentence in (
        letters_sentence(records),
        denunciations_sentence(records),
        complaints_sentence(records),
    ):
        if sentence:
            sentences.append(sentence)
    if not sentences:
        return ""
    text = " ".join(sentences)
    if body_label:
        text = _("%(body)s: %(text)s") % {"body": body_label, "text": text[:1].lower() + text[1:]}
    return text


def discipline_detail(records) -> str:
    """The discipline by form, as a term report writes it: "Kỷ luật 43 đảng viên: khiển
    trách 23, cảnh cáo 15, cách chức 03, khai trừ 02 (trong đó 05 cấp ủy viên); kỷ luật
    01 tổ chức đảng: khiển trách 01." ("" when none)."""
    lines = records.discipline[:-1]
    total = records.discipline_total
    parts = []
    for who, amount, phrase in (
        (
            "members",
            total.members,
            lambda n: ngettext("kỷ luật %(n)s đảng viên", "kỷ luật %(n)s đảng viên", n),
        ),
        (
            "organizations",
            total.organizations,
            lambda n: ngettext("kỷ luật %(n)s tổ chức đảng", "kỷ luật %(n)s tổ chức đảng", n),
        ),
    ):
        if not amount:
            continue
        forms = ", ".join(
            f"{line.label.lower()} {sentence_count(getattr(line, who))}"
            for line in lines
            if getattr(line, who)
        )
        text = phrase(amount) % {"n": sentence_count(amount)} + f": {forms}"
        if who == "members" and total.committee_members:
            text += (
                " ("
                + _("trong đó %(n)s cấp ủy viên") % {"n": sentence_count(total.committee_members)}
                + ")"
            )
        parts.append(text)
    if not parts:
        return ""
    return _capitalised("; ".join(parts)) + "."


def discipline_by_decider_sentence(lines, labels) -> str:
    """Who decided the discipline, as the reports say it after the forms: "Trong đó: cấp
    ủy, ban thường vụ, chi bộ thi hành kỷ luật 01 tổ chức đảng; ủy ban kiểm tra thi hành
    kỷ luật 02 đảng viên (trong đó 01 cấp ủy viên)." (`lines`: the report's
    DeciderDiscipline per form then the total; `labels`: decider → words; "" when no
    discipline was decided)."""
    if not lines:
        return ""
    total = lines[-1]
    parts = []
    for decider, label in labels.items():
        organizations = total.organizations.get(decider, 0)
        members = total.members.get(decider, 0)
        committee = total.committee_members.get(decider, 0)
        if not (organizations or members):
            continue
        who = _who(organizations, members)
        if committee:
            who += " (" + _("trong đó %(n)s cấp ủy viên") % {"n": sentence_count(committee)} + ")"
        parts.append(
            _("%(body)s thi hành kỷ luật %(who)s") % {"body": str(label).lower(), "who": who}
        )
    if not parts:
        return ""
    return _("Trong đó: %(parts)s.") % {"parts": "; ".join(parts)}


def deadline_lines(denunciations) -> list[str]:
    """The dashboard's deadline figures as of today, plain numbers: "3 đơn tố cáo sắp hết
    hạn", "1 đơn tố cáo quá hạn" (only those that are not zero)."""
    language = _language()
    lines = []
    if denunciations.due_soon_today:
        n = denunciations.due_soon_today
        lines.append(
            ngettext("%(n)s đơn tố cáo sắp hết hạn", "%(n)s đơn tố cáo sắp hết hạn", n)
            % {"n": figures.format_count(n, language)}
        )
    if denunciations.overdue_today:
        n = denunciations.overdue_today
        lines.append(
            ngettext("%(n)s đơn tố cáo quá hạn", "%(n)s đơn tố cáo quá hạn", n)
            % {"n": figures.format_count(n, language)}
        )
    return lines

"""Comments on a unit's progress or report: anyone who reads the unit writes one; the
unit's dashboard shows them (a partial loaded by htmx), newest first, with who and when;
404 outside reach; a blank comment is refused on its field and nothing is written."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from reports import services
from reports.models import Comment, ReportPeriod
from reports.queries import submissions


@time_machine.travel(date(2026, 10, 5), tick=False)
def test_readers_comment_and_the_dashboard_shows_it(client, cast, tree):
    m9 = ReportPeriod.objects.get(kind="m9", year=2026, month=0)
    services.add_comment(user=cast.leader_p, organization=tree.a, text="Chậm kiểm tra A1.")
    services.add_comment(
        user=cast.staff_a, organization=tree.a, period=m9, text="Đã bổ sung kế hoạch."
    )
    assert [c.text for c in submissions.comments_of(tree.a)] == [
        "Đã bổ sung kế hoạch.",
        "Chậm kiểm tra A1.",
    ]
    assert [c.text for c in submissions.comments_of(tree.a, period=m9)] == ["Đã bổ sung kế hoạch."]

    client.force_login(cast.leader_p)
    dashboard = client.get(reverse("reports:dashboard", args=[tree.a.pk]))
    assert reverse("reports:comments", args=[tree.a.pk]) in dashboard.content.decode()
    partial = client.get(reverse("reports:comments", args=[tree.a.pk]))
    html = partial.content.decode()
    assert "Chậm kiểm tra A1." in html and "Đã bổ sung kế hoạch." in html
    assert str(cast.staff_a) in html

    posted = client.post(
        reverse("reports:comment_add", args=[tree.a.pk]),
        {"text": "Đề nghị hoàn thành trước 15/11."},
        HTTP_HX_REQUEST="true",
    )
    assert posted.status_code == 200
    assert "Đề nghị hoàn thành trước 15/11." in posted.content.decode()
    assert Comment.objects.filter(organization=tree.a, author=cast.leader_p).count() == 2


def test_a_blank_comment_is_refused_on_its_field(client, cast, tree):
    with pytest.raises(ValidationError) as refused:
        services.add_comment(user=cast.staff_a, organization=tree.a, text="  ")
    assert refused.value.message_dict == {"text": ["Hãy nhập nội dung góp ý."]}
    client.force_login(cast.staff_a)
    response = client.post(reverse("reports:comment_add", args=[tree.a.pk]), {"text": ""})
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_comments_out_of_reach_are_404(client, cast, tree):
    services.add_comment(user=cast.admin, organization=tree.a, text="Chỉ trong phạm vi A.")
    for user in (cast.leader_b, cast.outsider):
        client.force_login(user)
        assert client.get(reverse("reports:comments", args=[tree.a.pk])).status_code == 404
        url = reverse("reports:comment_add", args=[tree.a.pk])
        assert client.post(url, {"text": "x"}).status_code == 404
    with pytest.raises(ValidationError, match="không thuộc phạm vi"):
        services.add_comment(user=cast.leader_b, organization=tree.a, text="x")
    assert Comment.objects.count() == 1


@time_machine.travel(date(2026, 10, 5), tick=False)
def test_a_comment_on_a_submission_joins_its_history(cast, tree):
    m9 = ReportPeriod.objects.get(kind="m9", year=2026, month=0)
    submission = services.submit_report(
        user=cast.staff_a, organization=tree.a, period=m9, today=date(2026, 10, 5)
    )
    comment = services.add_comment(
        user=cast.leader_p, organization=tree.a, submission=submission, text="Số liệu ổn."
    )
    assert comment.period == m9
    assert [(e.action, e.text) for e in submission.events.order_by("pk")][-1] == (
        "commented",
        "Số liệu ổn.",
    )
    with pytest.raises(ValidationError) as refused:
        services.add_comment(
            user=cast.admin, organization=tree.b, submission=submission, text="Nhầm đơn vị."
        )
    assert refused.value.message_dict == {"submission": ["Báo cáo không phải của đơn vị này."]}

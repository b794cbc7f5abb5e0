"""Sensible reminder rules and the public holidays of 2025–2027 to start from;
administrators edit both in the admin. Self-contained on purpose (no app code)."""

from datetime import date, timedelta

from django.db import migrations

RULES = [
    {
        "name": "Nhắc đơn vị chậm tiến độ",
        "kind": "lag",
        # The centre has no leaders above it to escalate to; every other level is reminded.
        "levels": ["provincial", "upper_grassroots", "grassroots", "partial", "cell"],
        "tolerance_cases": 0,
        "tolerance_points": 0,
        "first_after_days": 0,
        "repeat_every_days": 7,
        "escalate_after_days": 14,
        "escalation_levels": 2,
    },
    {"name": "Nhắc chỉ tiêu sắp đến hạn", "kind": "target_due", "days_before": [14, 3]},
    {"name": "Nhắc cuộc kiểm tra, giám sát quá thời gian làm việc", "kind": "case_overdue"},
    {"name": "Thư tổng hợp hằng tuần cho lãnh đạo", "kind": "digest", "weekday": 0},
]


def _span(first: date, last: date, name: str) -> list[tuple[date, str]]:
    return [(first + timedelta(days=i), name) for i in range((last - first).days + 1)]


HOLIDAYS = [
    *_span(date(2025, 1, 25), date(2025, 2, 2), "Tết Nguyên đán"),
    (date(2025, 4, 7), "Giỗ Tổ Hùng Vương"),
    *_span(date(2026, 2, 14), date(2026, 2, 22), "Tết Nguyên đán"),
    (date(2026, 4, 26), "Giỗ Tổ Hùng Vương"),
]
for _year in (2025, 2026, 2027):
    HOLIDAYS += [
        (date(_year, 1, 1), "Tết Dương lịch"),
        (date(_year, 4, 30), "Ngày Giải phóng miền Nam, thống nhất đất nước"),
        (date(_year, 5, 1), "Ngày Quốc tế Lao động"),
        (date(_year, 9, 1), "Quốc khánh"),
        (date(_year, 9, 2), "Quốc khánh"),
    ]


def seed(apps, schema_editor):
    ReminderRule = apps.get_model("reports", "ReminderRule")
    Holiday = apps.get_model("reports", "Holiday")
    for fields in RULES:
        if not ReminderRule.objects.filter(kind=fields["kind"], name=fields["name"]).exists():
            ReminderRule.objects.create(**fields)
    existing = set(Holiday.objects.values_list("day", flat=True))
    Holiday.objects.bulk_create(
        [Holiday(day=day, name=name) for day, name in HOLIDAYS if day not in existing]
    )


def unseed(apps, schema_editor):
    ReminderRule = apps.get_model("reports", "ReminderRule")
    Holiday = apps.get_model("reports", "Holiday")
    ReminderRule.objects.filter(
        name__in=[r["name"] for r in RULES], messages__isnull=True
    ).delete()
    Holiday.objects.filter(day__in=[day for day, _ in HOLIDAYS]).delete()


class Migration(migrations.Migration):

    dependencies = [("reports", "0005_reminders")]

    operations = [migrations.RunPython(seed, unseed)]

"""Which deadline rule applies: shared by the services of denunciations, complaints and
suspensions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _g

from cases.models import DeadlineRule
from ktgs.models import Organization


def rule_for(*, kind: str, organization: Organization) -> DeadlineRule:
    """The active rule of `kind` for the unit's level, else the active one for every
    level (blank level). A clear refusal when none applies: the record cannot get a
    deadline, and writing it without one would hide it from every reminder."""
    rules = {
        rule.level: rule
        for rule in DeadlineRule.objects.filter(
            kind=kind, is_active=True, level__in=[organization.level, ""]
        )
    }
    rule = rules.get(organization.level) or rules.get("")
    if rule is None:
        raise ValidationError(
            _g(
                "Chưa có quy định thời hạn “%(kind)s” áp dụng cho cấp %(level)s: "
                "hãy nhờ quản trị viên bổ sung trong trang quản trị."
            )
            % {
                "kind": DeadlineRule.Kind(kind).label,
                "level": organization.get_level_display(),
            },
            code="no_deadline_rule",
        )
    return rule

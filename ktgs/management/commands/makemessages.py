"""makemessages that also collects `_g(...)`: modules that use `_` as a throwaway name
import gettext as `_g` (Django documents overriding `xgettext_options` for this)."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_g"]

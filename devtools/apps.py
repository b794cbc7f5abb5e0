from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """No models, URLs or tasks: installed only so that its management commands
    (`seed_demo`, `bench`) register."""

    name = "devtools"
    verbose_name = "Development tools"

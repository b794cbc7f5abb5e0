"""Links that leave the site (mails): every absolute URL is built here, from KTGS_SITE_URL."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """`path` (from reverse(), with its query string if any) on the site's public URL."""
    return settings.SITE_URL.rstrip("/") + path

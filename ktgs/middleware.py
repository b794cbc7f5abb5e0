"""Request middleware of the core."""

from django.conf import settings
from django.utils import translation


class UserLanguageMiddleware:
    """Activate the language of the signed-in user's profile; Vietnamese otherwise.

    Deliberately not LocaleMiddleware: a leader whose browser is English still gets the
    Vietnamese interface unless they chose English on their profile page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = settings.LANGUAGE_CODE
        if user is not None and user.is_authenticated and user.language:
            language = user.language
        # override, not activate: the language is put back after the response, so one
        # English user's request never leaks into whatever the thread does next (a test,
        # a task run eagerly in the same process).
        with translation.override(language):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response

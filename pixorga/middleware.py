from django.shortcuts import render
from django.utils.translation import gettext as _


class FrenchByDefaultMiddleware:
    """French unless the user chose another language: a browser's Accept-Language is ignored.

    pixorga serves French schools; a school computer set up in English must still show French.
    The language chosen in the footer (Django's language cookie) is respected.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class RejectNulBytesMiddleware:
    """A NUL byte in the path, a query parameter or a URL-encoded form is refused with a 400.

    No person types one; PostgreSQL refuses it in any text, so one that reached a filter or a
    lookup answered a 500. Refused here, once, before any view: no form or filter has to
    remember it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            # The site's 400 page, saying why; it runs before authentication, so the page
            # shows no menu (nothing of the person is read).
            reason = _("L’adresse ou le formulaire contient un caractère invalide (octet nul). "
                       "Revenez à la page précédente et recommencez.")
            return render(request, "400.html", {"reason": reason}, status=400)
        return self.get_response(request)


def _has_nul(request) -> bool:
    if "\x00" in request.path_info:
        return True
    fields = [request.GET]
    # Multipart forms are left to their fields' validators: parsing them here would run before
    # a view could choose its upload handlers.
    if request.content_type == "application/x-www-form-urlencoded":
        fields.append(request.POST)
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for query in fields for key, values in query.lists()
    )

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

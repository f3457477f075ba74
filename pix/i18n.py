"""Marks French messages for translation without importing Django.

`makemessages` collects strings wrapped in `_()`; the Django layer translates them when it
shows them (`gettext(message) % params`), so `pix` stays pure and messages stay translatable.
"""


def _(message: str) -> str:
    return message

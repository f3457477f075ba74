"""Removes the one-time passwords that earlier versions kept in sessions for the login cards.

Login cards are now answered by the request that creates the passwords, and nothing keeps
them; sessions opened before this version may still hold a list of cards for up to two weeks.
"""

from django.db import migrations

OLD_KEY = "pupil_login_cards"


def forget_cards(apps, schema_editor):
    from django.contrib.sessions.backends.db import SessionStore

    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    for session in Session.objects.filter(session_data__isnull=False).iterator():
        data = store.decode(session.session_data)
        if OLD_KEY in data:
            del data[OLD_KEY]
            session.session_data = store.encode(data)
            session.save(update_fields=["session_data"])


class Migration(migrations.Migration):
    dependencies = [
        ("establishments", "0002_privacy"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forget_cards, migrations.RunPython.noop)]

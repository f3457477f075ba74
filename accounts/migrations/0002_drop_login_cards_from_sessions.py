"""Removes the pupils' one-time passwords that earlier versions kept in sessions.

Login cards used to be stored in the RUPN's session (key `pupil_login_cards`) until it expired,
up to 14 days: a password read from the session table logged in. Cards are now only in the
response that prints them; this clears what the old version left behind.
"""

from django.conf import settings
from django.db import migrations

OLD_KEY = "pupil_login_cards"
DATABASE_ENGINES = (
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
)


def drop_login_cards(apps, schema_editor) -> None:
    if settings.SESSION_ENGINE not in DATABASE_ENGINES:
        return
    from django.contrib.sessions.backends.db import SessionStore

    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    database = schema_editor.connection.alias
    for session in Session.objects.using(database).iterator():
        data = store.decode(session.session_data)
        if OLD_KEY in data:
            del data[OLD_KEY]
            session.session_data = store.encode(data)
            session.save(update_fields=["session_data"])
            if settings.SESSION_ENGINE.endswith("cached_db"):
                from django.contrib.sessions.backends.cached_db import KEY_PREFIX
                from django.core.cache import caches

                caches[settings.SESSION_CACHE_ALIAS].delete(KEY_PREFIX + session.session_key)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(drop_login_cards, migrations.RunPython.noop)]

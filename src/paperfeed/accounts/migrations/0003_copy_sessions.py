"""Move the live sessions from django.contrib.sessions' table into accounts_session,
with each one's account id filled in, so switching SESSION_ENGINE to
paperfeed.accounts.sessions logs nobody out. The session data is copied as it is: both
engines' classes are named SessionStore, and the signing salt is made from that name.
The old table is emptied (nothing reads it any more); going back copies the live
sessions the other way."""

from django.db import migrations
from django.utils import timezone

BATCH = 1000


def _user_id(store, data):
    try:
        return int(store.decode(data)["_auth_user_id"])
    except (KeyError, TypeError, ValueError):
        return None


def _copy(source, target, with_user_id):
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    live = source.objects.filter(expire_date__gt=timezone.now()).order_by("pk")
    batch = []
    for row in live.iterator(chunk_size=BATCH):
        copy = target(
            session_key=row.session_key,
            session_data=row.session_data,
            expire_date=row.expire_date,
        )
        if with_user_id:
            copy.user_id = _user_id(store, row.session_data)
        batch.append(copy)
        if len(batch) == BATCH:
            target.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    target.objects.bulk_create(batch, ignore_conflicts=True)
    source.objects.all().delete()


def forwards(apps, schema_editor):
    _copy(apps.get_model("sessions", "Session"), apps.get_model("accounts", "Session"), True)


def backwards(apps, schema_editor):
    _copy(apps.get_model("accounts", "Session"), apps.get_model("sessions", "Session"), False)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_session"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

"""WSGI entry point for granian/gunicorn: ``paperfeed.wsgi:application``.

Each web process warms up (``paperfeed.web.warmup``) before it serves its first
request, unless ``PAPERFEED_WARMUP=0``."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
application = get_wsgi_application()

if settings.PAPERFEED_WARMUP:
    from paperfeed.web.warmup import warm  # needs the apps, loaded just above

    warm()
    connections.close_all()  # the serving threads open their own

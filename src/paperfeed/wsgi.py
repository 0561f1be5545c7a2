"""WSGI entry point for granian/gunicorn: ``paperfeed.wsgi:application``.

Each web process warms up (``paperfeed.web.warmup``) before it serves its first
request; ``PAPERFEED_WARMUP=0`` skips it."""

import os

from django.core.wsgi import get_wsgi_application
from django.db import connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
application = get_wsgi_application()

if os.environ.get("PAPERFEED_WARMUP", "1") != "0":
    from paperfeed.web.warmup import warm

    warm()
    connections.close_all()  # the serving threads open their own

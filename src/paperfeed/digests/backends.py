"""An email backend writing one ``.eml`` file per message into ``DATA_DIR/mail/``.

The default when no SMTP_URL is configured: every message is real RFC 5322 text that
any mail client opens. Files are written to a temporary name and renamed, so a reader
never sees half a message.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class EmlBackend(BaseEmailBackend):
    _lock = threading.Lock()

    def __init__(self, file_path: str | os.PathLike | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        configured = file_path or getattr(settings, "EMAIL_FILE_PATH", None)
        self.folder = Path(configured) if configured else Path(settings.DATA_DIR) / "mail"

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        self.folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            try:
                data = message.message().as_bytes(linesep="\r\n")
                name = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:12]}.eml"
                tmp = self.folder / f".{name}.tmp"
                tmp.write_bytes(data)
                os.replace(tmp, self.folder / name)
                sent += 1
            except Exception:
                if not self.fail_silently:
                    raise
        return sent

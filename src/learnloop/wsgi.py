import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnloop.settings")
application = get_wsgi_application()

# A serving process keeps SQLite's -wal/-shm files in existence, so reads go on when the disk
# fills up (learnloop/sqlite_backend/base.py).
from learnloop.sqlite_backend.base import keep_files_open  # noqa: E402

keep_files_open()

# Requests must not pay for loading libraries the commands load lazily (ops/warm.py).
from learnloop.ops.warm import warm_up  # noqa: E402

warm_up()

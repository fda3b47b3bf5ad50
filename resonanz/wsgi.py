import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resonanz.settings")
django.setup(set_prefix=False)

from resonanz.core.handlers import build_application  # noqa: E402 (needs Django set up)

application = build_application()

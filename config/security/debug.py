"""What the debug page and error reports may show of the settings."""

from __future__ import annotations

import re

from django.views.debug import SafeExceptionReporterFilter


class SecretsHidingFilter(SafeExceptionReporterFilter):
    """Hide every secret setting, not only those Django's default pattern names.

    Django masks names containing KEY, SECRET, PASS, TOKEN, ... but not our CLIENT_HASH_SALT,
    nor URLs and cache locations that carry a password (``redis://:password@host``).
    """

    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|SALT|URL|DSN|LOCATION",
        flags=re.IGNORECASE,
    )

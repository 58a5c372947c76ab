"""Static files in the embedded default: the compressed copies `make run` collects, when fresh.

WhiteNoise only sends gzip (or Brotli) where a compressed copy sits next to the file, which
`collectstatic` writes into STATIC_ROOT; but in development it also finds files in the source
folders (so that a style edited a moment ago shows without collecting), and those win. Here a
collected copy wins while it is at least as new as its source: a 54 KB stylesheet goes out as
10 KB, and an edit made since the last `make run` still shows at once, uncompressed.
"""

from __future__ import annotations

import os

from django.contrib.staticfiles import finders
from whitenoise.middleware import WhiteNoiseMiddleware


class CollectedFirstWhiteNoiseMiddleware(WhiteNoiseMiddleware):
    """Serve static files like WhiteNoise, preferring fresh collected (compressed) copies."""

    def add_files_from_finders(self) -> None:
        sources: dict[str, str] = {}
        for finder in finders.get_finders():
            for path, storage in finder.list(None):
                prefix = (getattr(storage, "prefix", None) or "").strip("/")
                name = f"{prefix}/{path}" if prefix else path
                # The first finder that has a name wins, as in collectstatic.
                sources.setdefault(name.replace("\\", "/"), storage.path(path))
        for name, source in sources.items():
            url = self.static_prefix + name
            if url in self.files and _fresh(os.path.join(self.static_root, name), source):
                continue
            self.add_file_to_dictionary(url, source)


def _fresh(copy: str, source: str) -> bool:
    """Tell whether a collected copy is at least as new as its source."""
    try:
        return os.stat(copy).st_mtime >= os.stat(source).st_mtime
    except OSError:
        return False

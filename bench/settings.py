"""The load bench's settings (bench/load.py): production's, plus the reference view.

Only bench/load.py uses them, for its gunicorn; the site itself never mounts the reference.
"""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

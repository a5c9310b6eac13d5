"""Deployment checks (`manage.py check --deploy`): what keeps several app servers from
serving one site behind a load balancer. Warnings, not errors: a single server is a fine
deployment, and these settings are right for it."""

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.core.files.storage import FileSystemStorage
from django.utils.module_loading import import_string

# Cache backends whose contents belong to one process or one machine.
LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.filebased.FileBasedCache",
    "core.cache.FileBasedCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if backend not in LOCAL_CACHES:
        return []
    return [
        Warning(
            f"The default cache ({backend.rsplit('.', 1)[-1]}) is kept on this machine or in each process: "
            "page-cache invalidation, the cached site settings and the rate limits are not shared between servers.",
            hint="Set REDIS_URL (e.g. redis://host:6379/0), or run a single gunicorn worker process.",
            id="core.W001",
        )
    ]


@register(Tags.files, deploy=True)
def check_shared_media(app_configs, **kwargs):
    backend = settings.STORAGES["default"]["BACKEND"]
    if not issubclass(import_string(backend), FileSystemStorage):
        return []
    return [
        Warning(
            f"Uploaded media are stored on this machine's disk ({settings.MEDIA_ROOT}): other app servers "
            "cannot see them.",
            hint="Set AWS_STORAGE_BUCKET_NAME (and the other AWS_* variables) for S3-compatible storage, "
            "or share MEDIA_ROOT between the servers.",
            id="core.W002",
        )
    ]


@register(deploy=True)  # not Tags.database: Django runs those only when asked by tag
def check_server_database(app_configs, **kwargs):
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine != "django.db.backends.sqlite3":
        return []
    return [
        Warning(
            f"The database is SQLite ({settings.DATABASES['default']['NAME']}), a file on this machine: "
            "app servers on other machines cannot share it.",
            hint="Set DATABASE_URL to a PostgreSQL database (postgres://user:password@host:5432/name).",
            id="core.W003",
        )
    ]

"""Which files a backup holds (backups/media.py): a storage inside another is walked once, as itself."""

from backups.media import nested_folders


class Bucket:
    """Stands in for django-storages' S3Storage: a bucket and a folder in it."""

    def __init__(self, bucket_name, location=""):
        self.bucket_name, self.location = bucket_name, location


def test_a_storage_inside_another_storage_is_left_out_of_the_outer_one():
    # Production without AWS_PRIVATE_BUCKET_NAME: private files under "private/" in the media bucket.
    assert nested_folders({"default": Bucket("media"), "private": Bucket("media", "private")}) == {
        "default": ["private"],
        "private": [],
    }
    assert nested_folders({"default": Bucket("media", "site-a"), "private": Bucket("media", "site-a/private")}) == {
        "default": ["private"],
        "private": [],
    }
    # A private bucket of its own, or another site's folder: nothing nested.
    assert nested_folders({"default": Bucket("media"), "private": Bucket("private-media")}) == {
        "default": [],
        "private": [],
    }
    assert nested_folders({"default": Bucket("media", "site-a"), "private": Bucket("media", "site-b/private")}) == {
        "default": [],
        "private": [],
    }

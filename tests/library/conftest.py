import pytest

from library import usage
from library.models import Image
from tests.library.helpers import upload


@pytest.fixture(autouse=True)
def _own_providers(monkeypatch):
    """The library's tests see only the usage providers they register (not the blog's)."""
    monkeypatch.setattr(usage, "_providers", [])


@pytest.fixture
def make_image(db):
    """make_image(color=..., alt=..., size=..., **fields) -> a new library Image (each colour is another picture)."""
    counter = iter(range(1, 10_000))

    def make(*, color=None, alt="A blue square", size=(640, 360), **fields):
        n = next(counter)
        picture = upload(f"picture-{n}.jpg", color=color or (n * 7 % 256, n * 13 % 256, n * 29 % 256), size=size)
        image, created = Image.objects.add(picture, alt=alt)
        assert created
        if fields:
            for name, value in fields.items():
                setattr(image, name, value)
            image.save()
        return image

    return make


class FakeProvider:
    """A usage provider as the blog registers one: `uses` maps image pk -> [Use]."""

    def __init__(self):
        self.uses = {}
        self.calls = 0

    def __call__(self, images):
        self.calls += 1
        return {image.pk: self.uses[image.pk] for image in images if image.pk in self.uses}

    def used_filter(self):
        from django.db.models import Q

        return Q(pk__in=list(self.uses))

    def use(self, image, label="Article “Spring”", admin_url="/admin/blog/article/1/change/", public_url="/spring/"):
        self.uses.setdefault(image.pk, []).append(usage.Use(label, admin_url, public_url))


@pytest.fixture
def provider():
    fake = FakeProvider()
    usage.register(fake)
    yield fake
    usage.unregister(fake)

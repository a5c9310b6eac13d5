import pytest
from django.db.models import Q

from library import usage
from library.models import Image

pytestmark = pytest.mark.django_db


def test_uses_of_merges_every_provider(make_image, provider):
    first, second, unused = make_image(), make_image(), make_image()
    provider.use(first, "Article “One”")

    def featured(images):
        return {image.pk: [usage.Use("Article “Two” (featured)")] for image in images if image.pk == first.pk}

    usage.register(featured)
    usage.register(featured)  # twice is once
    try:
        provider.use(second, "Page “About”", public_url="/about/")
        uses = usage.uses_of([first, second, unused])
        assert uses == {
            first.pk: [
                usage.Use("Article “One”", "/admin/blog/article/1/change/", "/spring/"),
                usage.Use("Article “Two” (featured)"),
            ],
            second.pk: [usage.Use("Page “About”", "/admin/blog/article/1/change/", "/about/")],
        }
        assert usage.uses_of_one(unused) == []
        assert usage.uses_of([]) == {}
    finally:
        usage.unregister(featured)
    assert featured not in usage.providers()


def test_register_refuses_what_cannot_be_called():
    with pytest.raises(TypeError, match="callable"):
        usage.register("blog.uses")


def test_used_and_unused_through_used_filter(make_image, provider, django_assert_num_queries):
    used, unused = make_image(), make_image()
    provider.use(used)
    with django_assert_num_queries(1):
        assert list(usage.used(Image.objects.all())) == [used]
    with django_assert_num_queries(1):
        assert list(usage.unused(Image.objects.all())) == [unused]
    assert provider.calls == 0  # the filter does not call the provider


def test_used_names_and_plain_providers_count_too(make_image):
    by_name, by_call, unused = make_image(), make_image(), make_image()

    def names_provider(images):
        return {}

    names_provider.used_names = lambda: [by_name.name, "", "library/not-ours.jpg"]

    def plain(images):
        return {image.pk: [usage.Use("Somewhere")] for image in images if image.pk == by_call.pk}

    usage.register(names_provider)
    usage.register(plain)
    try:
        assert set(usage.used(Image.objects.all())) == {by_name, by_call}
        assert list(usage.unused(Image.objects.all())) == [unused]
    finally:
        usage.unregister(names_provider)
        usage.unregister(plain)


def test_nothing_is_used_without_providers(make_image):
    image = make_image()
    assert usage.used_q() == Q(pk__in=[])
    assert list(usage.used(Image.objects.all())) == []
    assert list(usage.unused(Image.objects.all())) == [image]

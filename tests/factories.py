import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from blog.models import Article, Author, Category


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("correct-horse-battery")


class AuthorFactory(DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Faker("name")
    slug = factory.Sequence(lambda n: f"author-{n}")
    bio = factory.Faker("sentence")
    email = factory.Sequence(lambda n: f"author{n}@example.com")


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    description = factory.Faker("sentence")


class ArticleFactory(DjangoModelFactory):
    """A live article by default; pass status/published_at for drafts and scheduled ones."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Article number {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    author = factory.SubFactory(AuthorFactory)
    category = factory.SubFactory(CategoryFactory)
    standfirst = factory.Faker("sentence")
    body = factory.LazyFunction(lambda: "<p>First paragraph with <a href='https://example.com'>a link</a>.</p>")
    status = Article.Status.PUBLISHED
    published_at = factory.Sequence(lambda n: timezone.now() - datetime.timedelta(hours=n + 1))

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)


class DraftFactory(ArticleFactory):
    status = Article.Status.DRAFT
    published_at = None

"""blog/categories.py's score, and Category.objects.suggest_for reading it from the database."""

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blog.categories import Profile, best, scores, words
from blog.models import Category
from tests.factories import ArticleFactory, CategoryFactory

CARS = Profile("cars", ("Electric cars", "electric-cars"), Counter({"batteries": 4, "charging": 3, "Tesla": 2}))
PHONES = Profile("phones", ("Phones", "phones"), Counter({"batteries": 1, "Android": 5, "cameras": 2}))
SPACE = Profile("space", ("Space", "space"), Counter({"rockets": 3}))
ALL = [CARS, PHONES, SPACE]


def test_words_ignore_case_and_punctuation():
    assert words("Solid-State BATTERIES, charging…") == ["solid", "state", "batteries", "charging"]


def test_a_suggested_tag_naming_a_category_wins():
    assert best("A piece about the weather.", ["Space"], ALL) == "space"
    assert best("A piece.", ["electric cars"], ALL) == "cars"


def test_the_name_in_the_text():
    assert best("What the next rockets to space will carry.", [], ALL) == "space"


def test_the_tags_of_a_categorys_articles():
    # "batteries" is mostly the cars' tag: 4 of its 5 articles.
    assert best("A piece.", ["batteries"], ALL) == "cars"
    assert best("Why Android cameras got better this year.", [], ALL) == "phones"


def test_a_tag_shared_by_every_category_weighs_by_its_share():
    result = scores("Batteries everywhere.", [], ALL)
    assert result["cars"] == pytest.approx(0.8)
    assert result["phones"] == pytest.approx(0.2)
    assert result["space"] == 0


def test_a_word_of_a_longer_name_counts_a_little():
    assert scores("Cars, cars, cars.", [], ALL)["cars"] == 1
    assert best("Electric kettles reviewed.", [], ALL) == "cars"  # 'electric': 1 point, alone


def test_no_match_is_no_category():
    assert best("A recipe for bread, with no tags.", ["baking"], ALL) is None
    assert best("", [], ALL) is None
    assert best("Space and phones.", [], []) is None


def test_a_tie_at_the_top_is_no_category():
    assert best("Space phones.", [], ALL) is None
    assert best("A piece.", ["space", "phones"], ALL) is None


def test_below_the_minimum_is_no_category():
    few, many = Profile("few", (), Counter({"batteries": 1})), Profile("many", (), Counter({"batteries": 9}))
    assert scores("Batteries.", [], [few, many]) == {"few": 0.1, "many": 0.9}
    assert best("Batteries.", [], [few, many]) is None
    assert best("Batteries.", ["batteries"], [few, many]) == "many"  # 1.8 as a suggested tag


def test_a_hostile_text_is_only_words():
    text = "<script>alert('space')</script> " * 1000
    assert scores(text, ["<b>phones</b>"], ALL) == {"cars": 0, "phones": 0, "space": 3}
    assert best(text, ["<b>phones</b>"], ALL) == "space"


@pytest.mark.django_db
class TestSuggestFor:
    def test_from_the_database(self, django_assert_num_queries):
        cars, phones = CategoryFactory(name="Electric cars", slug="electric-cars"), CategoryFactory(name="Phones")
        for _ in range(3):
            ArticleFactory(category=cars).tags.add("batteries", "charging")
        ArticleFactory(category=phones).tags.add("batteries", "Android")
        ArticleFactory(category=None).tags.add("Android")  # no category: counts for none
        with django_assert_num_queries(2):  # the categories, their articles' tags
            assert Category.objects.suggest_for("How fast charging wears a battery.", ["batteries"]) == cars
        assert Category.objects.suggest_for("The new Android release.", []) == phones
        assert Category.objects.suggest_for("Sourdough.", ["bread"]) is None

    def test_among_some_categories_only(self):
        cars, phones = CategoryFactory(name="Cars"), CategoryFactory(name="Phones")
        assert Category.objects.filter(pk=phones.pk).suggest_for("Cars and more cars.", []) is None
        assert Category.objects.suggest_for("Cars and more cars.", []) == cars

    def test_no_categories(self):
        with CaptureQueriesContext(connection) as queries:
            assert Category.objects.suggest_for("Anything.", ["x"]) is None
        assert len(queries) == 1  # the categories; no tags to read for none

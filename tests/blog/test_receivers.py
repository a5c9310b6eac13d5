"""What an article's save sets off is registered in one place: blog/receivers.py (and, for the apps
above the blog that cannot be named there, each one's own signals module)."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from taggit.models import Tag

from blog.models import Article, Author, Category, TaggedArticle
from core.models import Page, SiteSettings
from tests.test_layers import LAYER_OF

MODEL_SIGNALS = (pre_save, post_save, pre_delete, post_delete, m2m_changed)


def our_receivers(model):
    """(signal name, module) of every receiver of ours connected to `model`'s signals."""
    found = set()
    for signal in MODEL_SIGNALS:
        for receiver in signal._live_receivers(model)[0]:
            module = getattr(receiver, "__module__", "") or ""
            if module.split(".")[0] in LAYER_OF:
                found.add((signal, module))
    return found


def allowed(module):
    app = module.split(".")[0]
    return module == "blog.receivers" or (module == f"{app}.signals" and LAYER_OF[app] > LAYER_OF["blog"])


def test_every_reaction_to_the_blogs_models_is_registered_in_blog_receivers():
    for model in (Article, TaggedArticle, Author, Category, Tag, SiteSettings, Page):
        wrong = {module for _signal, module in our_receivers(model) if not allowed(module)}
        assert wrong == set(), model


def test_the_article_save_reactions_are_there():
    modules = {module for _signal, module in our_receivers(Article)}
    assert modules == {"blog.receivers", "contributions.signals"}


def test_the_rule_sees_a_receiver_elsewhere():
    assert not allowed("blog.images")
    assert not allowed("core.signals")
    assert allowed("contributions.signals")

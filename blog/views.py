import copy
from datetime import date
from urllib.parse import unquote

from django.conf import settings
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView
from taggit.models import Tag

from core import cachetags
from pagecache import cache as pages

from . import sidebar
from .commenting import comments_close_at
from .models import Article, ArticleSlugRedirect, Author, Category, TaggedArticle, month_end, month_start
from .previews import read_preview_token
from .publishing import TakenDown
from .search import search as search_articles


def tag_page(request, *names):
    """Name what a blog page shows, for the page cache (blog/invalidation.py): every blog page
    shows the site's settings and names (`site`) and the sidebar."""
    cachetags.page_shows(request, cachetags.SITE, cachetags.SIDEBAR, *names)


def is_at(request, article):
    """Whether the request asked for the article's own address. request.path is decoded and
    reverse() percent-encodes: compared as they are, an address in Japanese redirected to itself."""
    return request.path == unquote(article.get_absolute_url())


class ArticleListMixin:
    """Live articles with what a card renders, ten to a page."""

    paginate_by = settings.BYLINE_PAGE_SIZE
    template_name = "blog/article_list.html"
    context_object_name = "articles"

    def get_queryset(self):
        return Article.objects.for_listing()

    def listing_tags(self):
        """The page-cache tag of this listing (blog/invalidation.py)."""
        return [cachetags.LIST]

    def get_paginator(self, queryset, per_page, **kwargs):
        # Counting a listing reads every article in it (a tag's 10,000 at 100,000 articles), on
        # every page of it: the count is remembered until an article of the listing changes.
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        key = f"count:{type(self).__name__}:{','.join(self.listing_tags())}"
        paginator.count, _tags = pages.remember(key, lambda: (paginator.count, self.listing_tags()))
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tag_page(
            self.request, *self.listing_tags(), *(cachetags.article(article.pk) for article in context["object_list"])
        )
        return context


class HomeView(ArticleListMixin, ListView):
    """The lead (newest featured) article on page 1, then the latest without it."""

    template_name = "blog/home.html"

    def get_queryset(self):
        self.featured = Article.objects.for_listing().filter(is_featured=True).order_by("-published_at").first()
        queryset = super().get_queryset()
        return queryset.exclude(pk=self.featured.pk) if self.featured else queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context["page_obj"].number == 1:
            context["featured"] = self.featured
            if self.featured:
                cachetags.page_shows(self.request, cachetags.article(self.featured.pk))
        return context


class CategoryDetailView(ArticleListMixin, ListView):
    def get_queryset(self):
        self.category = get_object_or_404(Category, slug=self.kwargs["slug"])
        return super().get_queryset().filter(category=self.category)

    def listing_tags(self):
        return [cachetags.category(self.category.pk)]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            listing_title=self.category.name,
            listing_kind=_("Category"),
            listing_description=self.category.description,
            category=self.category,
            **kwargs,
        )


class TagDetailView(ArticleListMixin, ListView):
    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        # An IN (subquery) rather than a join: at 100,000 articles SQLite planned the
        # join as a scan of every article (430 ms to count); this is 20-40 ms.
        tagged = TaggedArticle.objects.filter(tag=self.tag).values("content_object_id")
        return super().get_queryset().filter(pk__in=tagged)

    def listing_tags(self):
        return [cachetags.tag(self.tag.pk)]

    def get_context_data(self, **kwargs):
        return super().get_context_data(listing_title=self.tag.name, listing_kind=_("Tag"), tag=self.tag, **kwargs)


class AuthorDetailView(ArticleListMixin, ListView):
    template_name = "blog/author_detail.html"

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return super().get_queryset().filter(author=self.author)

    def listing_tags(self):
        return [cachetags.author(self.author.pk)]

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class YearArchiveView(ArticleListMixin, ListView):
    def get_queryset(self):
        # A range on published_at (in the site's time zone) uses the index; __year would not.
        year = self.kwargs["year"]
        if not 1 <= year < 9999:
            raise Http404(_("No such year."))
        start, end = month_start(date(year, 1, 1)), month_start(date(year + 1, 1, 1))
        return super().get_queryset().filter(published_at__gte=start, published_at__lt=end)

    def listing_tags(self):
        return [cachetags.year(self.kwargs["year"])]

    def get_context_data(self, **kwargs):
        return super().get_context_data(listing_title=str(self.kwargs["year"]), listing_kind=_("Archive"), **kwargs)


class MonthArchiveView(ArticleListMixin, ListView):
    def get_queryset(self):
        if not (1 <= self.kwargs["month"] <= 12 and 1 <= self.kwargs["year"] < 9999):
            raise Http404(_("No such month."))
        first = date(self.kwargs["year"], self.kwargs["month"], 1)
        return super().get_queryset().filter(published_at__gte=month_start(first), published_at__lt=month_end(first))

    def listing_tags(self):
        return [cachetags.month(self.kwargs["year"], self.kwargs["month"])]

    def get_context_data(self, **kwargs):
        month = date(self.kwargs["year"], self.kwargs["month"], 1)
        return super().get_context_data(
            listing_title=date_format(month, "YEAR_MONTH_FORMAT"), listing_kind=_("Archive"), **kwargs
        )


class ArticleDetailView(DetailView):
    """An article at /<year>/<month>/<slug>/; other addresses of it answer 301."""

    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.live().select_related("author", "category").prefetch_related("tags")

    def live_article(self, slug):
        """The live article at `slug`, remembered until it changes (a copy: requests may share it)."""

        def lookup():
            article = self.get_queryset().filter(slug=slug).first()
            return article, [cachetags.article(article.pk)] if article else []

        article, _tags = pages.remember(f"article:{slug}", lookup)
        return copy.copy(article)

    def get(self, request, *args, **kwargs):
        article = self.live_article(kwargs["slug"])
        if article is None:
            taken_down = Article.objects.filter(slug=kwargs["slug"], status=Article.Status.TAKEN_DOWN).first()
            if taken_down is not None:
                if not is_at(request, taken_down):
                    return redirect(taken_down, permanent=True)
                raise TakenDown(taken_down)  # 451, RFC 7725: complaints/middleware.py
            former = ArticleSlugRedirect.objects.select_related("article").filter(old_slug=kwargs["slug"]).first()
            if former and (former.article.is_live or former.article.status == Article.Status.TAKEN_DOWN):
                return redirect(former.article, permanent=True)
            raise Http404(_("No article at this address."))
        if not is_at(request, article):
            return redirect(article, permanent=True)
        self.object = article
        return self.render_to_response(self.get_context_data(object=article))

    @staticmethod
    def around(article):
        """Related, previous and next articles, and the tags they depend on (for the cache).

        Its own tags too: the related articles are drawn from them, and an article's
        neighbours change when one is published next to it (blog/invalidation.py)."""
        around = Article.objects.around(article)
        shown = [article, *around["related"], around["previous"], around["next"]]
        tags = [cachetags.article(item.pk) for item in shown if item is not None] + [
            cachetags.tag(tag.pk) for tag in article.tags.all()
        ]
        return around, tags

    def get_context_data(self, **kwargs):
        article = self.object
        sidebar.load()  # first: it also tells the page cache when the next article is scheduled
        around, tags = pages.remember(f"around:{article.pk}", lambda: self.around(article))
        tag_page(self.request, *tags)
        # The comment form disappears when comments close, without any change to save.
        cachetags.expire_by(self.request, comments_close_at(article))
        return super().get_context_data(
            related=around["related"], previous_article=around["previous"], next_article=around["next"], **kwargs
        )


class ArticlePreviewView(ArticleDetailView):
    """A draft as readers will see it, for whoever holds the signed link."""

    def get_queryset(self):
        return Article.objects.select_related("author", "category").prefetch_related("tags")

    def get(self, request, *args, **kwargs):
        try:
            pk, slug = read_preview_token(kwargs["token"])
        except signing.SignatureExpired as exc:
            raise Http404(_("This preview link has expired. Ask an editor for a new one.")) from exc
        except signing.BadSignature as exc:
            raise Http404(_("This preview link is not valid.")) from exc
        self.object = get_object_or_404(self.get_queryset(), pk=pk, slug=slug)
        response = self.render_to_response(self.get_context_data(object=self.object, is_preview=True))
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def get_context_data(self, **kwargs):
        around = Article.objects.around(self.object)
        return DetailView.get_context_data(
            self, related=around["related"], previous_article=around["previous"], next_article=around["next"], **kwargs
        )


def search(request):
    """Ranked full-text search of live articles; the query is trimmed, and an empty one shows the form only."""
    query = " ".join(request.GET.get("q", "").split())[: settings.BYLINE_SEARCH_MAX_LENGTH]
    results = search_articles(query) if query else Article.objects.none()
    page_obj = Paginator(results, settings.BYLINE_PAGE_SIZE).get_page(request.GET.get("page"))
    tag_page(request, cachetags.LIST, *(cachetags.article(article.pk) for article in page_obj.object_list))
    return render(
        request,
        "blog/search.html",
        {
            "query": query,
            "results": results,
            "page_obj": page_obj,
            "articles": page_obj.object_list,
            "is_paginated": page_obj.has_other_pages(),
        },
    )

from django.urls import path

from . import views

app_name = "blog"

# These URL shapes are a contract: feeds, sitemaps, imports and redirects build on them.
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("search/", views.search, name="search"),
    path("category/<slug:slug>/", views.CategoryDetailView.as_view(), name="category-detail"),
    path("tag/<slug:slug>/", views.TagDetailView.as_view(), name="tag-detail"),
    path("author/<slug:slug>/", views.AuthorDetailView.as_view(), name="author-detail"),
    path("preview/<str:token>/", views.ArticlePreviewView.as_view(), name="article-preview"),
    path("<int:year>/", views.YearArchiveView.as_view(), name="archive-year"),
    path("<int:year>/<int:month>/", views.MonthArchiveView.as_view(), name="archive-month"),
    path("<int:year>/<int:month>/<slug:slug>/", views.ArticleDetailView.as_view(), name="article-detail"),
]

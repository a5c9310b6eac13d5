"""The 451 page of a taken-down article (RFC 7725), for the article view of blog.

The blog knows an article is taken down but not why: the view raises
`blog.publishing.TakenDown`, and this middleware answers it with the complaint in force.
"""

from blog.publishing import TakenDown

from .views import article_unavailable


class TakedownMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, TakenDown):
            return article_unavailable(request, exception.article)
        return None

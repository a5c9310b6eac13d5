from django.urls import path

from . import views

app_name = "discussion"
urlpatterns = [
    path("post/", views.post_comment, name="post"),
    path("token/", views.comment_token, name="token"),
]

from django.urls import path

from . import tracking, views

app_name = "contributions"

urlpatterns = [
    path("", views.submit, name="submit"),
    path("thanks/", views.thanks, name="thanks"),
    path("status/<str:token>/", views.status, name="status"),
    path("status/<str:token>/profile/", tracking.profile, name="profile"),
]

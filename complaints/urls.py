from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("complaint/", views.complaint, name="complaint"),
    path("complaint/received/", views.received, name="received"),
]

from django.urls import include, path

from bench import views

urlpatterns = [
    path("bench/floor", views.Floor.as_view()),
    path("bench/portal", views.PortalBearer.as_view()),
    path("bench/stock", views.Stock.as_view()),
    path("", include("portal.urls")),
]

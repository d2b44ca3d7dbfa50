from django.urls import path

from portal.ratelimit import views

app_name = "ratelimit"

urlpatterns = [
    path("", views.rate_limit, name="rate_limit"),
]

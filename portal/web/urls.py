from django.urls import path

from portal.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("settings/", views.settings_home, name="settings_home"),
]

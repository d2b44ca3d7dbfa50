from django.urls import path

from portal.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.security_log, name="security_log"),
]

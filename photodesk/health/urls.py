"""Include in the site's urls: path("health/", include("photodesk.health.urls"))."""

from django.urls import path

from photodesk.health import views

app_name = "photodesk-health"
urlpatterns = [
    path("live", views.live, name="live"),
    path("ready", views.ready, name="ready"),
]

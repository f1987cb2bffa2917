"""Include in the site's urls: path("metrics", include("photodesk.metrics.urls"))."""

from django.urls import path

from photodesk.metrics import views

app_name = "photodesk-metrics"
urlpatterns = [path("", views.metrics, name="metrics")]

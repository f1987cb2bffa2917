from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("photodesk.api.urls", namespace="photodesk-api")),
    path("health/", include("photodesk.health.urls")),
    path("metrics", include("photodesk.metrics.urls")),
    path("api/v1/auth/token/", obtain_auth_token, name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/schema/swagger/",
        SpectacularSwaggerView.as_view(url_name="api-schema"),
        name="api-swagger",
    ),
    path(
        "api/schema/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"
    ),
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# JSON 404s and 500s under /api/ (an id that is not a number never reaches the API's views).
handler404 = "photodesk.api.errors.not_found"
handler500 = "photodesk.api.errors.server_error"

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # The API, with its token endpoint at api/v1/auth/token/.
    path("api/v1/", include("photodesk.api.urls", namespace="photodesk-api")),
    # The OpenAPI schema, Swagger UI and ReDoc (who may see them: API_SCHEMA_ACCESS).
    path("api/schema/", include("photodesk.api.docs")),
    path("health/", include("photodesk.health.urls")),
    path("metrics", include("photodesk.metrics.urls")),
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# JSON 404s and 500s under /api/ (an id that is not a number never reaches the API's views).
handler404 = "photodesk.api.errors.not_found"
handler500 = "photodesk.api.errors.server_error"

from django.urls import include, path

from resonanz.api.api import api
from resonanz.core import views as core_views

urlpatterns = [
    # The public endpoints first: they are asked for most, and resolving them should not
    # walk every page pattern.
    path("widget/", include("resonanz.widget.urls")),
    path("hooks/", include("resonanz.channels.hook_urls")),
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("", include("resonanz.accounts.urls")),
    path("w/<slug:ws>/", include("resonanz.inbox.urls")),
    path("w/<slug:ws>/settings/", include("resonanz.channels.urls")),
    path("w/<slug:ws>/moderation/", include("resonanz.moderation.urls")),
    path("w/<slug:ws>/sla/", include("resonanz.sla.urls")),
    path("demo/", include("resonanz.demo.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler404 = "resonanz.core.views.not_found"
handler500 = "resonanz.core.views.server_error"

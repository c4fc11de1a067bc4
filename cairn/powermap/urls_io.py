"""Power map import and export, included by `urls.py` into the `powermap` namespace. Each export
format has its own path (`export/map.graphml`…), so no URL carries a free parameter."""

from django.urls import path

from . import views_io

urlpatterns = [
    path("import/", views_io.import_map, name="import"),
    path("import/<str:result_id>/", views_io.import_status, name="import_status"),
    path("export/", views_io.export_page, name="export"),
    *(
        path(
            f"export/{fmt if fmt.endswith('.csv') else 'map.' + fmt}",
            views_io.export_map,
            {"fmt": fmt},
            name=views_io.export_url_name(fmt),
        )
        for fmt in views_io.EXPORTS
    ),
]

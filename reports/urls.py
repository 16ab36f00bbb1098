from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("manage/reports/", views.overview, name="overview"),
    path("manage/reports/export.csv", views.export_csv, name="export_csv"),
    path("manage/reports/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("manage/reports/build/", views.build, name="build"),
]

from django.urls import path

from . import views

app_name = "registrations"

urlpatterns = [
    path("", views.home, name="home"),
    path("registreringer/ny/", views.intake, name="intake"),
    path("registreringer/ny/mrz/", views.intake_mrz, name="intake_mrz"),
    path("registreringer/soeg/", views.search, name="search"),
    path("registreringer/<int:pk>/", views.detail, name="detail"),
    path("registreringer/<int:pk>/dokument/", views.document, name="document"),
    path("registreringer/<int:pk>/tilbud/", views.offer_add, name="offer_add"),
    path("registreringer/<int:pk>/jobnet-brev/", views.letter, name="letter"),
    path("registreringer/<int:pk>/jobsoegning/", views.jobseeker, name="jobseeker"),
]

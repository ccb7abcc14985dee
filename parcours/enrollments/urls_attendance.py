"""Attendance (émargement), mounted at /emargement/ (views/attendance.py)."""

from django.urls import path

from parcours.enrollments.views import attendance

app_name = "attendance"

urlpatterns = [
    path("", attendance.home, name="home"),
    path("session/<uuid:public_id>/", attendance.session_detail, name="session"),
    path("session/<uuid:public_id>/feuilles.pdf", attendance.session_pdf, name="pdf"),
    path("demi-journee/<uuid:public_id>/ouvrir/", attendance.slot_open, name="open"),
    path("feuille/<uuid:public_id>/", attendance.sheet_detail, name="sheet"),
    path("feuille/<uuid:public_id>/code/", attendance.sheet_code, name="code"),
    path("feuille/<uuid:public_id>/clore/", attendance.sheet_close, name="close"),
    path("feuille/<uuid:public_id>/signer/", attendance.sign, name="sign"),
    path("presence/<uuid:public_id>/statut/", attendance.record_status, name="status"),
    path("presence/<uuid:public_id>/signer-ici/", attendance.record_sign_here, name="sign_here"),
    path("ma-presence/", attendance.mine, name="mine"),
    path("employeur/", attendance.employer, name="employer"),
]

from django.urls import path

from . import views

app_name = "governance"
urlpatterns = [
    path("", views.decisions, name="decisions"),
    path("new/", views.new_proposal, name="new_proposal"),
    path("log/", views.decision_log, name="log"),
    path("templates/", views.decision_templates, name="templates"),
    path("<int:proposal_id>/", views.proposal, name="proposal"),
    path("<int:proposal_id>/results/", views.results, name="results"),
    path("<int:proposal_id>/vote/", views.vote, name="vote"),
    path("<int:proposal_id>/open/", views.open_proposal, name="open"),
    path("<int:proposal_id>/close/", views.close_proposal, name="close"),
    path("<int:proposal_id>/reopen/", views.reopen_proposal, name="reopen"),
    path("<int:proposal_id>/outcome/", views.record_outcome, name="outcome"),
    path("<int:proposal_id>/ballots.blt", views.ballots_blt, name="blt"),
]

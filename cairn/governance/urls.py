from django.urls import path

from . import views

app_name = "governance"
urlpatterns = [
    path("", views.decisions, name="decisions"),
    path("new/", views.new_proposal, name="new_proposal"),
    path("log/", views.decision_log, name="log"),
    path("log/checkpoints/", views.checkpoints, name="checkpoints"),
    path("log/checkpoints/publish/", views.publish_checkpoint, name="publish_checkpoint"),
    path("log/checkpoints/rotate-key/", views.rotate_signing_key, name="rotate_signing_key"),
    path("log/checkpoints/<int:seq>.json", views.checkpoint_file, name="checkpoint_file"),
    path("templates/", views.decision_templates, name="templates"),
    path("<int:proposal_id>/", views.proposal, name="proposal"),
    path("<int:proposal_id>/edit/", views.edit_proposal, name="edit"),
    path("<int:proposal_id>/delete/", views.delete_proposal, name="delete"),
    path("<int:proposal_id>/results/", views.results, name="results"),
    path("<int:proposal_id>/vote/", views.vote, name="vote"),
    path("<int:proposal_id>/open/", views.open_proposal, name="open"),
    path("<int:proposal_id>/close/", views.close_proposal, name="close"),
    path("<int:proposal_id>/reopen/", views.reopen_proposal, name="reopen"),
    path("<int:proposal_id>/outcome/", views.record_outcome, name="outcome"),
    path("<int:proposal_id>/authorizations/", views.authorizations, name="authorizations"),
    path("<int:proposal_id>/ballots.blt", views.ballots_blt, name="blt"),
]

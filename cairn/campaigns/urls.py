from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaigns, name="campaigns"),
    path("new/", views.new_campaign, name="new_campaign"),
    path("<int:campaign_id>/", views.campaign, name="campaign"),
    path("<int:campaign_id>/edit/", views.edit_campaign, name="edit_campaign"),
    path("<int:campaign_id>/dashboard/", views.dashboard, name="dashboard"),
    path("<int:campaign_id>/report/", views.report, name="report"),
    path("<int:campaign_id>/engagement.csv", views.engagement_csv, name="engagement_csv"),
    path("<int:campaign_id>/contribution.csv", views.contribution_csv, name="contribution_csv"),
    path("<int:campaign_id>/positions.csv", views.positions_csv, name="positions_csv"),
    path("<int:campaign_id>/phases/new/", views.add_phase, name="add_phase"),
    path("<int:campaign_id>/targets/new/", views.add_target, name="add_target"),
    path("<int:campaign_id>/objectives/new/", views.add_objective, name="add_objective"),
    path("phases/<int:phase_id>/rename/", views.rename_phase, name="rename_phase"),
    path("phases/<int:phase_id>/move/", views.move_phase, name="move_phase"),
    path("phases/<int:phase_id>/remove/", views.remove_phase, name="remove_phase"),
    path("phases/<int:phase_id>/milestones/new/", views.add_milestone, name="add_milestone"),
    path("milestones/<int:milestone_id>/done/", views.toggle_milestone, name="toggle_milestone"),
    path("targets/<int:target_id>/position/", views.record_position, name="record_position"),
    path("objectives/<int:objective_id>/", views.objective, name="objective"),
    path(
        "objectives/<int:objective_id>/measurements/",
        views.record_measurement,
        name="record_measurement",
    ),
    path(
        "objectives/<int:objective_id>/import/",
        views.import_measurements,
        name="import_measurements",
    ),
    path(
        "objectives/<int:objective_id>/measurements.csv",
        views.measurements_csv,
        name="measurements_csv",
    ),
    path("objectives/<int:objective_id>/feed/", views.set_feed, name="set_feed"),
    path("objectives/<int:objective_id>/feed/pull/", views.pull_feed_now, name="pull_feed"),
    path("objectives/<int:objective_id>/close/", views.close_objective, name="close_objective"),
    path("objectives/<int:objective_id>/renew/", views.renew_objective, name="renew_objective"),
    path("objectives/<int:objective_id>/reporter/", views.set_reporter, name="set_reporter"),
    path(
        "measurements/<int:measurement_id>/approve/",
        views.approve_measurement,
        name="approve_measurement",
    ),
    path(
        "measurements/<int:measurement_id>/delete/",
        views.delete_measurement,
        name="delete_measurement",
    ),
]

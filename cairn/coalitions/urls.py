from django.urls import path

from . import public_views, views

app_name = "coalitions"
urlpatterns = [
    path("", views.home, name="home"),
    path("members/", views.members, name="members"),
    path("members/new/", views.add_organization, name="add_organization"),
    path("members/<int:member_id>/", views.member, name="member"),
    path("members/<int:member_id>/status/", views.change_status, name="change_status"),
    path("members/<int:member_id>/weight/", views.change_vote_weight, name="change_vote_weight"),
    path(
        "organizations/<int:organization_id>/edit/",
        views.edit_organization,
        name="edit_organization",
    ),
    path("commitments/", views.commitments, name="commitments"),
    path("commitments/new/", views.pledge, name="pledge"),
    path("commitments/<int:commitment_id>/", views.commitment, name="commitment"),
    path("commitments/<int:commitment_id>/deliver/", views.record_delivery, name="record_delivery"),
    path(
        "commitments/<int:commitment_id>/withdraw/",
        views.withdraw_commitment,
        name="withdraw_commitment",
    ),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/new/", views.invite, name="invite"),
    path(
        "invitations/<int:invitation_id>/revoke/",
        views.revoke_invitation,
        name="revoke_invitation",
    ),
    path("staff/<int:staff_id>/remove/", views.remove_staff, name="remove_staff"),
    path("settings/", views.coalition_settings, name="settings"),
    path("public-page/", public_views.public_page_settings, name="public_page"),
    path(
        "public-page/members/<int:member_id>/",
        public_views.set_public_listing,
        name="set_public_listing",
    ),
]

from django.urls import path

from . import views

app_name = "fundraising"
urlpatterns = [
    path("", views.page_list, name="list"),
    path("new/", views.new_page, name="new"),
    path("receipts/", views.receipt_settings, name="receipts"),
    path("<int:page_id>/", views.detail, name="detail"),
    path("<int:page_id>/edit/", views.edit_page, name="edit"),
    path("<int:page_id>/hosts/", views.hosts, name="hosts"),
    path("<int:page_id>/hosts/<int:host_id>/remove/", views.remove_host, name="remove_host"),
    path("<int:page_id>/donations/", views.donations, name="donations"),
    path("<int:page_id>/offline/", views.offline, name="offline"),
    path("<int:page_id>/donations/<int:donation_id>/refund/", views.refund, name="refund"),
]

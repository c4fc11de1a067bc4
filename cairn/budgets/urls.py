from django.urls import path

from . import views

app_name = "budgets"
urlpatterns = [
    path("", views.index, name="index"),
    path("rounds/new/", views.new_round, name="new_round"),
    path("lines/new/", views.new_line, name="new_line"),
    path("settings/", views.budget_settings, name="settings"),
    path("rounds/<int:budget_round_id>/", views.round_detail, name="round"),
    path("rounds/<int:budget_round_id>/lines/new/", views.round_new_line, name="round_new_line"),
    path("rounds/<int:budget_round_id>/open/", views.open_round, name="open_round"),
    path("rounds/<int:budget_round_id>/close/", views.close_round, name="close_round"),
    path("rounds/<int:budget_round_id>/ballot/", views.ballot, name="ballot"),
    path("rounds/<int:budget_round_id>/results/", views.results, name="results"),
    path("rounds/<int:budget_round_id>/propose/", views.propose_adoption, name="propose"),
    path("rounds/<int:budget_round_id>/adopt/", views.adopt, name="adopt"),
    path("lines/<int:budget_line_id>/", views.line_detail, name="line"),
    path("lines/<int:budget_line_id>/allocate/", views.allocate, name="allocate"),
    path("lines/<int:budget_line_id>/withdraw/", views.withdraw, name="withdraw"),
    path("lines/<int:budget_line_id>/expenses/new/", views.submit_expense, name="submit_expense"),
    path("expenses/<int:budget_expense_id>/", views.expense_detail, name="expense"),
    path("expenses/<int:budget_expense_id>/approve/", views.approve, name="approve"),
    path("expenses/<int:budget_expense_id>/reject/", views.reject, name="reject"),
    path("expenses/<int:budget_expense_id>/receipts/", views.add_receipt, name="add_receipt"),
    path("receipts/<int:budget_receipt_id>/", views.receipt, name="receipt"),
]

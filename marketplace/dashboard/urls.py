"""URLs of the vendor dashboard, mounted at /vendor/ (namespace "dashboard")."""

from django.urls import path

from .views import auth, messages, orders, overview, preferences, progress

app_name = "dashboard"

urlpatterns = [
    path("", overview.OverviewView.as_view(), name="overview"),
    path("login/", auth.SellerLoginView.as_view(), name="login"),
    path("logout/", auth.SellerLogoutView.as_view(), name="logout"),
    path("password-reset/", auth.SellerPasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth.SellerPasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth.SellerPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth.SellerPasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("orders/", orders.OrderListView.as_view(), name="order_list"),
    path("orders/<int:pk>/", orders.OrderDetailView.as_view(), name="order_detail"),
    path("orders/<int:pk>/status/", orders.OrderStatusView.as_view(), name="order_status"),
    path(
        "orders/<int:pk>/stock-check/",
        orders.OrderStockCheckView.as_view(),
        name="order_stock_check",
    ),
    path("orders/<int:pk>/assembly/", orders.OrderAssemblyView.as_view(), name="order_assembly"),
    path("orders/<int:pk>/labels.pdf", orders.OrderLabelsView.as_view(), name="order_labels"),
    path("messages/", messages.MessageListView.as_view(), name="messages"),
    path("progress/", progress.ProgressView.as_view(), name="progress"),
    path("preferences/", preferences.PreferencesView.as_view(), name="preferences"),
]

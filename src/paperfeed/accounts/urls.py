from django.urls import path

from paperfeed.accounts import views

app_name = "accounts"
urlpatterns = [
    path("signup", views.signup, name="signup"),
    path("verify/<str:token>", views.verify, name="verify"),
    path("verify-again", views.resend, name="resend"),
    path("login", views.LoginView.as_view(), name="login"),
    path("logout", views.LogoutView.as_view(), name="logout"),
    path("password-reset", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent", views.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password-reset/done", views.password_reset_complete, name="password_reset_complete"),
    path("profile", views.profile, name="profile"),
    path("delete", views.delete_account, name="delete"),
]

"""Sign-up, log-in, profile and account-deletion forms."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from paperfeed.accounts.models import Profile

User = get_user_model()


class SignupForm(forms.Form):
    email = forms.EmailField(
        max_length=150, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    display_name = forms.CharField(max_length=80, required=False)
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        # No word on whether the address has an account: the email says (views.signup).
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        elif p1:
            try:
                password_validation.validate_password(p1, User(username=data.get("email", "")))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class EmailAuthenticationForm(AuthenticationForm):
    """Django's log-in form for accounts named by their email (its messages say
    "username" otherwise)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Please enter a correct email and password.",
    }
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class CurrentPasswordForm(forms.Form):
    """The account's current password, asked before something only its owner may do."""

    wrong = "That is not your password."
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(self.wrong)
        return password


class ConfirmPasswordForm(CurrentPasswordForm):
    """Asked when a confirmation link is opened elsewhere than in the browser that
    signed up."""

    wrong = "That is not the password chosen at sign-up."


class DeleteAccountForm(CurrentPasswordForm):
    pass


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["display_name", "affiliation"]


class LimitedPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the per-account email limit applied to each send."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        from paperfeed.accounts.rates import allowed

        if allowed("email", who=f"email:{to_email.lower()}"):
            return  # silently: the page must not tell who has an account
        super().send_mail(
            subject_template_name,
            email_template_name,
            context,
            from_email,
            to_email,
            html_email_template_name,
        )

"""People who sign in to Cairn: staff of member organizations. Supporters live in `people`."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


def normalize_login_email(email: str) -> str:
    """Logins are matched case-insensitively: store and look up the lower-cased, trimmed address."""
    return email.strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=normalize_login_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=normalize_login_email(username or ""))


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="Can sign in to the Django admin (site operators only)."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_login_email(self.email)

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name.split() or [self.email])[0]


class AuthAttempt(models.Model):
    """A failed sign-in or a password-reset request, counted to throttle the public auth forms.

    Counted from our own rows, so the limit holds across processes on the SQLite default too.
    """

    class Kind(models.TextChoices):
        LOGIN = "login", "Failed sign-in"
        RESET = "reset", "Password reset request"
        LINK = "link", "Sign-in link request"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    email = models.CharField(max_length=254, db_index=True)
    ip = models.CharField(max_length=45, db_index=True, blank=True)
    attempted_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-attempted_at"]
        indexes = [models.Index(fields=["kind", "email", "ip", "attempted_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.email} from {self.ip or '?'}"


class SignInLink(models.Model):
    """A single-use, expiring link that signs a user in, emailed when their account is under attack.

    The emailed token is signed with the secret key over (pk, nonce), as invitations are: the
    database holds no token, so a leaked database gives no working link.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=32, editable=False)
    ip = models.CharField(max_length=45, blank=True)  # who asked for it
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Sign-in link for {self.user} ({'used' if self.used_at else 'unused'})"

    def is_open(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()

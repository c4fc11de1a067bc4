"""How a coalition page finds its tenant: the slug in the URL and the user's role in it.

`coalition_view(action)` answers 404 to a user without a role in the coalition (so other
coalitions' pages are indistinguishable from missing ones) and 403 to a role that the policy
refuses. The view receives a `Tenant`: the coalition, the user's role and what the role allows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from cairn.accounts.models import User

from . import selectors
from .models import Coalition, Membership, StaffMember
from .policy import Action, allows, capabilities

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Tenant:
    coalition: Coalition
    staff: StaffMember
    can: dict[str, bool] = field(default_factory=dict)

    def allows(self, action: Action, membership: Membership | None = None) -> bool:
        return allows(self.staff, action, membership=membership)

    def require(self, action: Action, membership: Membership | None = None) -> None:
        if not self.allows(action, membership):
            raise PermissionDenied

    def context(self, **extra: Any) -> dict[str, Any]:
        return {"coalition": self.coalition, "staff": self.staff, "can": self.can, **extra}


CoalitionView = Callable[Concatenate[HttpRequest, Tenant, P], HttpResponse]


def coalition_view(
    action: Action,
) -> Callable[[CoalitionView[P]], Callable[..., HttpResponse]]:
    def decorator(view: CoalitionView[P]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: P.args, **kwargs: P.kwargs) -> Any:
            staff = selectors.staff_in_coalition(slug=slug, user=request.user)  # type: ignore[arg-type]
            if staff is None:
                raise Http404("No such coalition.")
            if not allows(staff, action):
                raise PermissionDenied
            tenant = Tenant(coalition=staff.coalition, staff=staff, can=capabilities(staff))
            return view(request, tenant, *args, **kwargs)

        return wrapper

    return decorator


def found(obj: T | None) -> T:
    """The selector's row, or 404: rows of other coalitions are simply not found."""
    if obj is None:
        raise Http404
    return obj


def is_htmx(request: HttpRequest) -> bool:
    """True for a request made by htmx (django-htmx's middleware sets `request.htmx`)."""
    return bool(getattr(request, "htmx", False))


def signed_in_user(request: HttpRequest) -> User:
    """The user of a view that requires sign-in (every coalition view does)."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - coalition views require a signed-in user
    return user

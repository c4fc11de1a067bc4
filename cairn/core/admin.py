"""Admin pieces shared by the apps."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class ServiceWritten(admin.ModelAdmin):
    """Rows written by the services: shown whole, never added or deleted here.

    Only the fields named in `correctable` may be changed (none: the page is read-only), so a
    field added to the model later is read-only here until someone decides otherwise. `hidden`
    fields are never shown.
    """

    correctable: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(self.correctable) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return tuple(
            field.name
            for field in self.opts.fields
            if not field.auto_created and field.name not in self.hidden
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [name for name in self.get_fields(request, obj) if name not in self.correctable]

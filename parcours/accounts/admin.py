from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from parcours.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = ["public_id", "date_joined", "last_login"]
    fieldsets = [
        (None, {"fields": ["public_id", "email", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name"]}),
        ("Droits", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["date_joined", "last_login"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

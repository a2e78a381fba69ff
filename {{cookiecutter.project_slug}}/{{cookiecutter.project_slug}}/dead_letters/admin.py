"""Dead letters in the admin: read only (a record of what happened), replayed or deleted."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from {{ cookiecutter.project_slug }}.dead_letters.models import DeadLetter
from {{ cookiecutter.project_slug }}.dead_letters.services import dead_letters_replay


@admin.register(DeadLetter)
class DeadLetterAdmin(admin.ModelAdmin[DeadLetter]):
    list_display = ["id", "task_name", "exception_type", "retries", "failed_at", "replayed_at"]
    list_filter = ["task_name", ("replayed_at", admin.EmptyFieldListFilter)]
    search_fields = ["task_name", "task_id", "exception_message"]
    date_hierarchy = "failed_at"
    actions = ["replay"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: DeadLetter | None = None) -> bool:
        return False

    def has_replay_permission(self, request: HttpRequest) -> bool:
        """Replaying runs code with stored arguments: more than viewing, as much as deleting."""
        return self.has_delete_permission(request)

    @admin.action(description="Replay the selected tasks (each once)", permissions=["replay"])
    def replay(self, request: HttpRequest, queryset: QuerySet[DeadLetter]) -> None:
        replayed = dead_letters_replay(ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"{len(replayed)} task(s) sent again.")

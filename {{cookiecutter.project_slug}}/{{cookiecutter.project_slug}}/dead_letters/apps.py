from django.apps import AppConfig


class DeadLettersConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.dead_letters"
    label = "dead_letters"

    def ready(self) -> None:
        from celery.signals import task_failure

        from {{ cookiecutter.project_slug }}.dead_letters.receivers import task_failed

        # Every process that runs tasks loads the apps: the worker's pool processes
        # (a task raised) and its main process (hard time limit, a lost pool process
        # whose message is not re-queued) alike.
        task_failure.connect(task_failed, dispatch_uid="dead-letters-task-failed")

from django.apps import AppConfig

# Signals miss bulk writes (bulk_create, queryset.update): the counts are re-derived nightly.
IMAGE_COUNT_REFRESH_SECONDS = 24 * 60 * 60


class ShopConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.shop"
    label = "shop"

    def ready(self) -> None:
        from celery import current_app

        # Connects the receivers (they only schedule tasks on commit).
        from {{ cookiecutter.project_slug }}.shop import signals  # noqa: F401
        from {{ cookiecutter.project_slug }}.shop.tasks import products_image_count_refresh

        # The shop's periodic tasks, sent by beat (core/worker/beat.py), live with the
        # shop: removing it removes them, and no infrastructure setting names them.
        current_app.add_periodic_task(
            IMAGE_COUNT_REFRESH_SECONDS,
            products_image_count_refresh.s(),
            name="shop-products-image-count-refresh",
        )

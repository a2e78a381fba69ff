"""manage.py generate_catalog --products N: demo data for the demo, benchmarks and load tests."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from {{ cookiecutter.project_slug }}.shop.demo_data import (
    analyze_catalog,
    generate_catalog,
)


class Command(BaseCommand):
    help = "Create N products with brands, categories and images (bulk inserts)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--products", type=int, default=100, help="how many (default 100)")
        parser.add_argument("--images", type=int, default=2, help="images per product")
        parser.add_argument("--categories", type=int, default=2, help="categories per product")

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(done: int, total: int) -> None:
            self.stdout.write(f"products: {done}/{total}")

        try:
            catalog = generate_catalog(
                products=options["products"],
                images_per_product=options["images"],
                categories_per_product=options["categories"],
                progress=progress if options["verbosity"] > 0 else None,
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        analyze_catalog()
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {len(catalog.product_ids)} products, {len(catalog.brand_ids)} brands, "
                f"{len(catalog.category_ids)} categories."
            )
        )

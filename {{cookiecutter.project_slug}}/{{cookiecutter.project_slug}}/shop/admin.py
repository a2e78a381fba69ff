"""Admin for the shop; list pages join what they display so they stay flat in queries."""

from django.contrib import admin

from {{ cookiecutter.project_slug }}.shop.models import (
    Brand,
    Category,
    Order,
    OrderLine,
    Product,
    ProductImage,
)


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin[Brand]):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class ProductImageInline(admin.TabularInline[ProductImage, Product]):
    model = ProductImage
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    # image_count is the denormalized count (shop/counts.py): the list shows it
    # without counting images per row.
    list_display = ["name", "brand", "price", "stock", "image_count"]
    list_select_related = ["brand"]
    list_filter = ["brand"]
    search_fields = ["name", "slug"]
    autocomplete_fields = ["brand", "categories"]
    readonly_fields = ["image_count", "created_at", "updated_at"]
    inlines = [ProductImageInline]


class OrderLineInline(admin.TabularInline[OrderLine, Order]):
    model = OrderLine
    extra = 0
    raw_id_fields = ["product"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin[Order]):
    list_display = [
        "id",
        "customer_email",
        "placed_by",
        "status",
        "total",
        "created_at",
        "confirmation_sent_at",
    ]
    list_select_related = ["placed_by"]
    list_filter = ["status"]
    raw_id_fields = ["placed_by"]
    readonly_fields = ["created_at", "confirmation_sent_at"]
    inlines = [OrderLineInline]

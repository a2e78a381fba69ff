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
    list_display = ["name", "brand", "price", "stock"]
    list_select_related = ["brand"]
    list_filter = ["brand"]
    search_fields = ["name", "slug"]
    autocomplete_fields = ["brand", "categories"]
    inlines = [ProductImageInline]


class OrderLineInline(admin.TabularInline[OrderLine, Order]):
    model = OrderLine
    extra = 0
    raw_id_fields = ["product"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin[Order]):
    list_display = ["id", "customer_email", "status", "total", "created_at"]
    list_filter = ["status"]
    inlines = [OrderLineInline]

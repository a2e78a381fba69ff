"""What the shop's API takes and gives, as ninja (pydantic) schemas.

Input schemas are strict: a field of the wrong type is refused rather than
coerced (``"1"``, ``true`` and ``1.9`` are not quantities), unknown fields are
refused, and every number and list is bounded, so the database never sees a
value it would choke on. Output schemas document exactly what each page
returns; the list operations return pre-encoded bytes of that shape.
"""

from __future__ import annotations

from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Field, Schema
from pydantic import ConfigDict, StrictInt, field_validator

from {{ cookiecutter.project_slug }}.core.api.pagination import MAX_KEY

Id = Annotated[StrictInt, Field(ge=1, le=MAX_KEY)]
Money = Annotated[str, Field(pattern=r"^\d+\.\d{2}$", examples=["12.50"])]
# Lines of one order, and units of one product in it.
MAX_LINES = 50
MAX_QUANTITY = 1000


class StrictSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class ProductSummary(Schema):
    id: int
    name: str
    slug: str
    price: Money
    brand: str
    categories: list[str]
    images: list[str]


class ProductPage(Schema):
    items: list[ProductSummary]
    next: str | None = Field(description="Pass as ?cursor= for the next page; null on the last.")


class Named(Schema):
    name: str
    slug: str


class Image(Schema):
    url: str
    alt: str


class ProductDetail(Schema):
    id: int
    name: str
    slug: str
    description: str
    price: Money
    in_stock: bool
    brand: Named
    categories: list[Named]
    images: list[Image]


class StockLevel(Schema):
    id: int
    stock: int


class StockPage(Schema):
    items: list[StockLevel]
    next: str | None


class ProductPath(StrictSchema):
    product_id: Id


class Destination(StrictSchema):
    country: str = Field(pattern=r"^[A-Z]{2}$", examples=["DE"], description="ISO 3166 code")
    postal_code: str = Field(pattern=r"^[A-Za-z0-9 -]{1,16}$", examples=["10115"])


class Rate(Schema):
    carrier: str
    service: str
    amount: str
    currency: str
    days: int


class Shipping(Schema):
    available: bool
    rates: list[Rate]


class DeliveryProduct(Schema):
    id: int
    name: str
    brand: str
    price: Money
    in_stock: bool


class Delivery(Schema):
    product: DeliveryProduct
    images: list[str]
    shipping: Shipping


class OrderLineIn(StrictSchema):
    product_id: Id
    quantity: Annotated[StrictInt, Field(ge=1, le=MAX_QUANTITY)]


class OrderIn(StrictSchema):
    email: str = Field(max_length=254, examples=["buyer@example.com"])
    lines: list[OrderLineIn] = Field(min_length=1, max_length=MAX_LINES)

    @field_validator("email")
    @classmethod
    def email_is_an_address(cls, value: str) -> str:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError("not an email address") from None
        return value

    @field_validator("lines")
    @classmethod
    def each_product_once(cls, lines: list[OrderLineIn]) -> list[OrderLineIn]:
        products = [line.product_id for line in lines]
        if len(set(products)) != len(products):
            raise ValueError("each product may appear in one line only")
        return lines

    def quantities(self) -> dict[int, int]:
        return {line.product_id: line.quantity for line in self.lines}


class OrderOut(Schema):
    id: int
    total: Money
    status: str

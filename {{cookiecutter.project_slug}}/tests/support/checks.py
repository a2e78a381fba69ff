"""Check messages as the tests compare them."""

from django.core import checks


def ids(messages: list[checks.CheckMessage]) -> list[str]:
    return [str(message.id) for message in messages]

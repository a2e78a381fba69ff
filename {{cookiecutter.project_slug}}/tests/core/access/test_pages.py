"""core/access/pages.py: the policies ride on what a browser renders, not on JSON.

What the policy lets a page do is proven in a real browser
(tests/core/access/test_browser.py, `make test-browser`); here, where it is sent.
"""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/admin/login/", "/static/admin/img/icon-yes.svg"])
def test_pages_and_images_carry_the_policy(client: Client, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 200
    answer.close()  # a static file's answer holds the file open
    assert "script-src 'self'" in answer["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in answer["Content-Security-Policy"]


def test_a_json_answer_goes_without_it(client: Client) -> None:
    answer = client.get("/api/v1/me")
    assert answer["Content-Type"].startswith("application/json")
    assert "Content-Security-Policy" not in answer
    assert "camera=()" in answer["Permissions-Policy"], "a fixed header, for every answer"

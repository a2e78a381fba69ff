"""Local settings (make run, make run-asgi, make worker) as a developer meets them.

The mail a task sends lands where a developer can read it. The debug toolbar
is on; whatever it adds, an API client gets the same documented error answers
as from production: JSON in the one shape, with the same status.
"""

import json
import uuid

import pytest
from django.test import Client

from config.env import BASE_DIR

from tests.support import api_contract, readme
from tests.support.local_mail import LOCAL_MAIL_DIR, mail_sent_locally
from tests.support.processes import child_environment, python_child


@pytest.mark.processes
def test_a_task_mail_lands_in_the_directory_the_readme_names() -> None:
    assert f"`{LOCAL_MAIL_DIR.relative_to(BASE_DIR)}/`" in readme.section("## Get going")
    marker = uuid.uuid4().hex
    code = (
        "from django.core.mail import send_mail\n"
        "from config.celery import app\n"
        "@app.task(name='tests.local_mail')\n"
        "def notify() -> int:\n"
        f"    return send_mail('Hello {marker}', 'Body', None, ['dev@example.com'])\n"
        "assert notify.apply().get() == 1\n"
    )
    (mail,) = mail_sent_locally(code, marker=marker)
    assert f"Subject: Hello {marker}" in mail
    assert "To: dev@example.com" in mail


@pytest.mark.urls(api_contract.__name__)
def test_the_api_contract_holds_under_the_test_settings(client: Client) -> None:
    assert api_contract.answers() == api_contract.documented()


@pytest.mark.processes
def test_the_api_contract_holds_under_local_settings_with_the_debug_toolbar() -> None:
    code = (
        "import json\n"
        "from django.conf import settings\n"
        "from tests.support import api_contract\n"
        "assert 'debug_toolbar.middleware.DebugToolbarMiddleware' in settings.MIDDLEWARE\n"
        "settings.ROOT_URLCONF = api_contract.__name__\n"
        "print(json.dumps(api_contract.answers()))\n"
    )
    child = python_child(
        code,
        env=child_environment(
            # The test clients' host name, besides the developer's .env.
            DJANGO_SETTINGS_MODULE="config.settings.local",
            DJANGO_ALLOWED_HOSTS="127.0.0.1,testserver",
        ),
    )
    assert child.returncode == 0, child.stderr
    got = json.loads(child.stdout.splitlines()[-1])
    expected = json.loads(json.dumps(api_contract.documented()))
    assert got == expected

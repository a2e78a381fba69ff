"""config/settings/celery_broker.py (RabbitMQ): publisher confirms, so a publish is never lost silently."""

from config.celery import app as celery_app

from tests.support.readme import missing_facts


def test_app_gets_the_promised_transport_options() -> None:
    assert celery_app.conf.broker_transport_options == {"confirm_publish": True}


def test_publisher_confirms_reach_the_driver() -> None:
    with celery_app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1)
        assert connection.connection.confirm_publish is True


def test_readme_states_publisher_confirms() -> None:
    assert missing_facts("docs/worker.md", {"confirm_publish": True}) == []

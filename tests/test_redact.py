"""Secrets are masked wherever they hide: plain, inside URLs, nested, in log lines."""

import logging

import pytest

from entdrill.redact import MASK, RedactingFilter, Redactor


def test_secret_inside_a_url_in_a_nested_structure_is_masked() -> None:
    redactor = Redactor()
    redactor.register("xoxb-canary-1234")
    data = {"url": "http://h/api?token=xoxb-canary-1234", "list": [("xoxb-canary-1234", 3)]}
    assert redactor.redact(data) == {"url": f"http://h/api?token={MASK}", "list": [[MASK, 3]]}


def test_very_short_values_are_not_treated_as_secrets() -> None:
    redactor = Redactor()
    redactor.register("abc", "", None)
    assert redactor.redact("abc") == "abc"


def test_log_filter_masks_formatted_arguments(caplog: pytest.LogCaptureFixture) -> None:
    redactor = Redactor()
    redactor.register("s3cret-password")
    logger = logging.getLogger("test.redact")
    logger.addFilter(RedactingFilter(redactor))
    with caplog.at_level(logging.INFO, logger="test.redact"):
        logger.info("login with %s", "s3cret-password")
    assert "s3cret-password" not in caplog.text
    assert MASK in caplog.text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            "--target 'http://user:pw@10.1.2.3' refused",
            "--target 'http://user:***@10.1.2.3' refused",
        ),
        (
            '{"target": "https://a:b@ent.example/cas"}',
            '{"target": "https://a:***@ent.example/cas"}',
        ),
        ("postgresql://u:hunter2@[::1]:5432/db", "postgresql://u:***@[::1]:5432/db"),
        ("http://127.0.0.1:8800/a@b and mail a@b.c", "http://127.0.0.1:8800/a@b and mail a@b.c"),
    ],
)
def test_a_password_in_any_url_is_masked_however_short(text: str, masked: str) -> None:
    assert Redactor().redact_text(text) == masked

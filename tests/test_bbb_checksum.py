"""BigBlueButton checksums: the documented example, every algorithm, and tampering."""

from urllib.parse import urlsplit

import pytest

from entdrill.bbb_checksum import (
    algorithm_of,
    build_url,
    checksum,
    encode_query,
    split_checksum,
    verify,
)

# The example of the BigBlueButton API reference ("API Security Model").
DOC_QUERY = "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444"
DOC_SECRET = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"
DOC_SHA1 = "1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17"


def test_checksum_matches_the_bigbluebutton_documentation_example() -> None:
    assert checksum("create", DOC_QUERY, DOC_SECRET) == DOC_SHA1


def test_build_url_encodes_like_bigbluebutton_clients_and_signs_the_query() -> None:
    params = {
        "name": "Test Meeting",
        "meetingID": "abc123",
        "attendeePW": "111222",
        "moderatorPW": "333444",
    }
    url = build_url("http://127.0.0.1:8900/bigbluebutton/api/", "create", params, DOC_SECRET)
    assert url == f"http://127.0.0.1:8900/bigbluebutton/api/create?{DOC_QUERY}&checksum={DOC_SHA1}"


@pytest.mark.parametrize(
    ("algorithm", "length"), [("sha1", 40), ("sha256", 64), ("sha384", 96), ("sha512", 128)]
)
def test_every_algorithm_is_told_by_its_digest_length_and_verifies(
    algorithm: str, length: int
) -> None:
    url = build_url(
        "http://h/api", "join", {"fullName": "Léa Martin", "meetingID": "6e-B"}, "s3cret", algorithm
    )
    raw_query = urlsplit(url).query
    _, given = split_checksum(raw_query)
    assert len(given) == length
    assert algorithm_of(given) == algorithm
    assert verify("join", raw_query, "s3cret")


def test_a_changed_parameter_call_or_secret_fails_verification() -> None:
    raw_query = urlsplit(build_url("http://h/api", "end", {"meetingID": "abc"}, "s3cret")).query
    assert not verify("end", raw_query.replace("abc", "abd"), "s3cret")
    assert not verify("create", raw_query, "s3cret")
    assert not verify("end", raw_query, "other")
    assert not verify("end", "meetingID=abc", "s3cret")  # no checksum at all
    assert not verify("end", "meetingID=abc&checksum=1234", "s3cret")  # no algorithm has 4 hex


def test_checksum_of_a_call_without_parameters_covers_the_call_and_secret_only() -> None:
    url = build_url("http://h/api", "getMeetings", {}, "s3cret")
    assert url == f"http://h/api/getMeetings?checksum={checksum('getMeetings', '', 's3cret')}"
    assert verify("getMeetings", urlsplit(url).query, "s3cret")


def test_booleans_are_sent_lowercase_and_unknown_algorithms_are_refused() -> None:
    assert encode_query({"redirect": False, "record": True}) == "redirect=false&record=true"
    with pytest.raises(ValueError, match="unknown checksum algorithm 'md5'"):
        checksum("create", "", "s", "md5")

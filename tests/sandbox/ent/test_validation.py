"""CAS serviceResponse documents: what the server writes is what a CAS client reads."""

from __future__ import annotations

from entdrill.sandbox.ent.validation import (
    INVALID_TICKET,
    Validation,
    failure_xml,
    parse,
    success_xml,
)


def test_a_cas2_success_names_the_user_without_attributes() -> None:
    document = success_xml("léa.martin", None, issued_at=0.0, new_login=True)
    assert "<cas:attributes>" not in document
    assert parse(document) == Validation(user="léa.martin")


def test_a_cas3_success_carries_the_released_attributes_escaped() -> None:
    attributes = {"role": "parent", "school": "lycee", "name": "Zoé <Roux> & co"}
    document = success_xml("zoe.roux", attributes, issued_at=86400.0, new_login=False)
    assert "Zoé &lt;Roux&gt; &amp; co" in document
    result = parse(document)
    assert result.ok
    assert result.attributes["name"] == "Zoé <Roux> & co"
    assert result.attributes["authenticationDate"] == "1970-01-02T00:00:00Z"
    assert result.attributes["isFromNewLogin"] == "false"


def test_a_failure_carries_its_code_and_message() -> None:
    result = parse(failure_xml(INVALID_TICKET, "Ticket 'ST-1' not recognized"))
    assert not result.ok
    assert (result.code, result.message) == ("INVALID_TICKET", "Ticket 'ST-1' not recognized")


def test_a_document_that_is_not_a_service_response_is_an_invalid_response() -> None:
    assert parse("<html>oops").code == "INVALID_RESPONSE"
    assert parse("<cas:serviceResponse xmlns:cas='http://www.yale.edu/tp/cas'/>").code == (
        "INVALID_RESPONSE"
    )

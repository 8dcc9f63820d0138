"""The fast login-form reader reads what html.parser reads."""

from __future__ import annotations

import urllib.parse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entdrill.flood.scenarios import form
from entdrill.flood.scenarios.form import read_login_form
from entdrill.probes.form import find_login_form

APEREO = """<html><body>
<form method="post" id="fm1" action="login?service=http%3A%2F%2F127.0.0.1%2F&amp;x=1">
  <input class="required" id="username" size="25" tabindex="1" type="text" name="username" autocomplete="off"/>
  <input class="required" type="password" id="password" name="password" value="" />
  <input type=hidden name=execution value='e1s1&amp;more' />
  <input type="hidden" name="_eventId" value="submit"/>
  <input type="hidden" name="geolocation"/>
  <button class="btn" name="submitBtn" accesskey="l" type="submit" value="LOGIN">Login</button>
</form></body></html>"""

SEARCH_THEN_LOGIN = """<form action="/search"><input name="q"></form>
<FORM ACTION="/cas/login" METHOD="POST"><INPUT TYPE="email" NAME="j_username">
<INPUT TYPE="PASSWORD" NAME="j_password"><INPUT TYPE="hidden" NAME="lt" VALUE="LT-1"></FORM>"""


@pytest.mark.parametrize("page", [APEREO, SEARCH_THEN_LOGIN])
def test_the_fast_reader_agrees_with_html_parser(page: str) -> None:
    fast, reference = read_login_form(page), find_login_form(page)
    assert fast is not None and fast == reference


def test_fields_and_entities_are_read_from_the_form() -> None:
    form = read_login_form(APEREO)
    assert form is not None
    assert form.action == "login?service=http%3A%2F%2F127.0.0.1%2F&x=1"
    assert (form.username_field, form.password_field) == ("username", "password")
    assert form.hidden == {"execution": "e1s1&more", "_eventId": "submit", "geolocation": ""}
    assert form.submit == {"submitBtn": "LOGIN"}


def test_a_page_without_a_login_form_has_none() -> None:
    assert read_login_form("<form><input name=q></form>") is None
    assert read_login_form("<p>Service unavailable</p>") is None


PIECES = [
    '<form action="/a">',
    "<FORM method=POST>",
    "</form>",
    "</FORM >",
    "</form\n>",
    "<formula>",
    "<form",
    "<",
    ">",
    "text",
    "İ",  # lower-cases to two characters
    '<input type="text" name="u">',
    "<input type=password name=p>",
    "<input type='hidden' name='e' value='x&amp;y'>",
    '<INPUT TYPE="email" NAME="m">',
    "<input/name=z>",
    "<inputs name=n>",
    "<button type=submit name=b value=go>",
    "<button>",
    "<!--",
    "-->",
]


@settings(max_examples=500)
@given(st.lists(st.sampled_from(PIECES), max_size=12))
def test_forms_are_found_where_the_regular_expression_finds_them(pieces: list[str]) -> None:
    page = "".join(pieces)
    assert list(form._forms(page)) == form._FORM.findall(page)


@settings(max_examples=300)
@given(st.lists(st.sampled_from(PIECES), max_size=12))
def test_a_page_read_twice_reads_the_same(pieces: list[str]) -> None:
    """Field tags are remembered from page to page: the second reading uses what was kept."""
    page = "".join(pieces)
    assert read_login_form(page) == read_login_form(page)


@given(st.dictionaries(st.text(max_size=8), st.text(max_size=12), max_size=6))
def test_encoded_forms_are_what_urlencode_gives(fields: dict[str, str]) -> None:
    assert form.encode_form(fields) == urllib.parse.urlencode(fields).encode()


CAS_PAGE = """<html><body><form method="post" id="fm1" action="login?service=x">
<input type="text" name="username"><input type="password" name="password">
<input type="hidden" name="execution" value="{}">
<input type="hidden" name="_eventId" value="submit"></form></body></html>"""


def test_pages_of_one_template_are_read_once_and_keep_their_own_execution() -> None:
    form._templates.clear()
    first, second = CAS_PAGE.format("e1-AAAA"), CAS_PAGE.format("e2-BBBB_b/c=")
    read_first, read_second = read_login_form(first), read_login_form(second)
    assert len(form._templates) == 1
    assert read_first == find_login_form(first) and read_second == find_login_form(second)
    assert read_first is not None and read_second is not None
    assert read_first.hidden["execution"] == "e1-AAAA"
    assert read_second.hidden["execution"] == "e2-BBBB_b/c="
    read_second.hidden["execution"] = "changed by a journey"
    again = read_login_form(second)
    assert again is not None and again.hidden["execution"] == "e2-BBBB_b/c="


@settings(max_examples=300)
@given(
    st.lists(st.sampled_from(PIECES), max_size=8),
    st.sampled_from(
        [
            '<input type="hidden" name="execution" value="{}">',
            "<input type=hidden name=execution value={}>",
            "<input name='execution' value='{}'>",
            '<input type="text" name="execution" value="{}">',
            "<input type=hidden name=execution value={}/>",
        ]
    ),
    st.lists(
        st.text(alphabet="ab=/-_", max_size=6) | st.text(alphabet="ab<>&'\" İ", max_size=4),
        min_size=2,
        max_size=4,
    ),
)
def test_a_page_read_from_its_template_reads_as_html_parser_reads_it(
    pieces: list[str], tag: str, values: list[str]
) -> None:
    """Whatever the page around it and the value in it, a page whose template was seen reads
    as the page itself reads."""
    form._templates.clear()
    for value in values:
        page = (
            '<form action="/login">'
            + "".join(pieces[:4])
            + tag.format(value)
            + "<input type=password name=p><input name=u>"
            + "".join(pieces[4:])
            + "</form>"
        )
        if "<!--" not in page:
            assert read_login_form(page) == form._read(page), page

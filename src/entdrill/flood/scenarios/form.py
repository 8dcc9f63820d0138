"""Reading a login form fast, and encoding what the form posts back.

:func:`read_login_form` reads the same as :func:`entdrill.probes.form.find_login_form` (the first
form with a password field and a text field; hidden fields with their values, the submit button's
name and value), several times faster than ``html.parser``, which matters when every virtual
user of a storm reads a form: forms are found with ``str.find`` on the lower-cased page, their
fields with one regular expression, and a field tag is read once per distinct tag (a CAS server
renders the same tags for every user but the one carrying the single-use ``execution``). Pages it cannot read that way fall back to ``html.parser``.

A CAS server sends every user the same page but for that ``execution`` value: a page is read
once per template (the page without the value), and the next pages of the same template only
have their value put in a copy of the form read then.

:func:`encode_form` is ``urllib.parse.urlencode`` for string fields, without quoting what needs
no quoting.
"""

from __future__ import annotations

import html
import re
import urllib.parse
from collections.abc import Iterator

from entdrill.probes.form import LoginForm, find_login_form

_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form\s*>", re.IGNORECASE | re.DOTALL)
_FORM_END = re.compile(r"</form\s*>")  # searched in the lower-cased page
_FIELD = re.compile(r"<((?:input|button)\b[^>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")
_WORD = re.compile(r"\w").match
_SAFE = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch  # what quote_plus leaves as it is

# the single-use value of a CAS form, as CAS servers write it (found with ``str.find``; a value of
# plain token characters only: one that could change how the page reads is never taken out)
_EXECUTION = 'name="execution" value="'
_TOKEN = re.compile(r"[-\w.+/=:~]*", re.ASCII).fullmatch

_CACHE_SIZE = 512  # distinct field tags (or encoded strings) remembered
_TEMPLATES = 64  # distinct login pages (without their execution value) remembered
_fields: dict[str, tuple[str, str, str]] = {}
_quoted: dict[str, str] = {}
_templates: dict[str, LoginForm] = {}


def _attributes(text: str) -> dict[str, str]:
    """The attributes of a tag (names lower-cased, entities decoded); the first one wins."""
    out: dict[str, str] = {}
    for name, double, single, bare in _ATTRIBUTE.findall(text):
        value = double or single or bare
        out.setdefault(name.lower(), html.unescape(value) if "&" in value else value)
    return out


def _field(tag: str) -> tuple[str, str, str]:
    """``(type, name, value)`` of a field tag's text (``input type=hidden name=lt ...``)."""
    known = _fields.get(tag)
    if known is not None:
        return known
    is_input = tag[:5].lower() == "input"
    values = _attributes(tag[5:] if is_input else tag[6:])
    kind = values.get("type", "text" if is_input else "submit").lower()
    field = (kind, values.get("name", ""), values.get("value", ""))
    if len(_fields) < _CACHE_SIZE:
        _fields[tag] = field
    return field


def _forms(page: str) -> Iterator[tuple[str, str]]:
    """``(attributes, body)`` of each ``<form>`` of ``page``, as ``_FORM.findall`` finds them."""
    lower = page.lower()
    if len(lower) != len(page):  # a few characters change length when lower-cased
        yield from _FORM.findall(page)
        return
    position = 0
    while True:
        start = lower.find("<form", position)
        if start < 0:
            return
        after = start + 5
        if _WORD(lower, after):  # <formula>: not a form
            position = after
            continue
        tag_end = lower.find(">", after)
        if tag_end < 0:
            return
        end = _FORM_END.search(lower, tag_end + 1)
        if end is None:
            return
        yield page[after:tag_end], page[tag_end + 1 : end.start()]
        position = end.end()


def read_login_form(page: str) -> LoginForm | None:
    """The login form of ``page``, or None when it has none."""
    if "<!--" in page:
        return find_login_form(page)  # comments may hide fields: let the real parser decide
    start = page.find(_EXECUTION)
    end = page.find('"', start + len(_EXECUTION)) if start >= 0 else -1
    if end < 0:
        return _read(page)
    start += len(_EXECUTION)
    value = page[start:end]
    if _TOKEN(value) is None:
        return _read(page)
    template = page[:start] + page[end:]
    known = _templates.get(template)
    if known is not None:
        return _copy(known, execution=value)
    form = _read(page)
    if (
        form is not None
        and form.hidden.get("execution") == value
        and len(_templates) < _TEMPLATES
        and page.find(_EXECUTION, end) < 0  # (one execution field: this one)
    ):
        _templates[template] = _copy(form)
    return form


def _copy(form: LoginForm, **hidden: str) -> LoginForm:
    """A copy of ``form`` whose fields its user may change, with ``hidden`` values set."""
    return LoginForm(
        form.action,
        form.method,
        {**form.hidden, **hidden},
        form.username_field,
        form.password_field,
        dict(form.submit),
    )


def _read(page: str) -> LoginForm | None:
    for form_attributes, body in _forms(page):
        attributes = _attributes(form_attributes)
        form = LoginForm(
            action=attributes.get("action", ""), method=attributes.get("method", "post").lower()
        )
        for tag in _FIELD.findall(body):
            kind, name, value = _field(tag)
            if not name:
                continue
            if kind == "hidden":
                form.hidden[name] = value
            elif kind == "password":
                form.password_field = name
            elif kind in ("text", "email") and not form.username_field:
                form.username_field = name
            elif kind == "submit":
                form.submit[name] = value
        if form.password_field and form.username_field:
            return form
    return None


def _quote(text: str) -> str:
    known = _quoted.get(text)
    if known is None:
        known = text if _SAFE(text) else urllib.parse.quote_plus(text)
        if len(_quoted) < _CACHE_SIZE:
            _quoted[text] = known
    return known


def encode_form(fields: dict[str, str]) -> bytes:
    """``fields`` as ``application/x-www-form-urlencoded`` (what ``urlencode`` gives)."""
    return "&".join([f"{_quote(name)}={_quote(value)}" for name, value in fields.items()]).encode()

"""Reading a CAS login form the way a browser would: fields from the HTML, not assumed."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class LoginForm:
    """The login form of a page: where it posts, and its fields."""

    action: str = ""
    method: str = "post"
    hidden: dict[str, str] = field(default_factory=dict)
    username_field: str = ""
    password_field: str = ""
    submit: dict[str, str] = field(default_factory=dict)

    def payload(self, username: str, password: str) -> dict[str, str]:
        data = dict(self.hidden)
        data[self.username_field] = username
        data[self.password_field] = password
        data.update(self.submit)
        return data


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[LoginForm] = []
        self._current: LoginForm | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._current = LoginForm(
                action=values.get("action", ""), method=values.get("method", "post").lower()
            )
            self.forms.append(self._current)
        elif tag in ("input", "button") and self._current is not None:
            kind = values.get("type", "text" if tag == "input" else "submit").lower()
            name = values.get("name", "")
            if not name:
                return
            if kind == "hidden":
                self._current.hidden[name] = values.get("value", "")
            elif kind == "password":
                self._current.password_field = name
            elif kind in ("text", "email") and not self._current.username_field:
                self._current.username_field = name
            elif kind == "submit":
                self._current.submit[name] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def find_login_form(html: str) -> LoginForm | None:
    """The first form of ``html`` with a password field, or None."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if form.password_field and form.username_field:
            return form
    return None

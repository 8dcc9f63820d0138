"""The ENT's HTML pages, CAS and portal (pure: data in, escaped HTML out).

The login form follows Apereo CAS's markup, which login floods parse: ``<form id="fm1"
method="post" action="...">`` with the fields ``username``, ``password``, the hidden single-use
``execution`` and ``_eventId=submit``; an error shows in ``<div id="loginErrorsPanel">``.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from entdrill.sandbox.ent.school import HomeworkEntry, Message
from entdrill.sandbox.ent.sessions import PortalSession

#: Messages of the login form (Apereo CAS's default wording).
INVALID_CREDENTIALS = "Invalid credentials."
FLOW_EXPIRED = "Your login form has expired or was already used. Please log in again."

STYLE = (
    "body{font-family:sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}"
    "#loginErrorsPanel{background:#fdd;border:1px solid #c00;padding:.5rem}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem}"
)


def page(title: str, body: str, *, lang: str = "fr") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


# CAS pages.


def login_form(action: str, execution: str, *, username: str = "", error: str = "") -> str:
    """The login page: ``action`` is the form's target (``/cas/login?service=...``)."""
    panel = (
        f'<div id="loginErrorsPanel" class="banner banner-danger" role="alert">'
        f"<p>{escape(error)}</p></div>\n"
        if error
        else ""
    )
    body = (
        '<main id="login">\n<h1>Central Authentication Service</h1>\n'
        f"{panel}"
        f'<form method="post" id="fm1" action="{escape(action)}">\n'
        '<label for="username">Username</label>\n'
        f'<input id="username" name="username" type="text" value="{escape(username)}" '
        'autocomplete="username" required>\n'
        '<label for="password">Password</label>\n'
        '<input id="password" name="password" type="password" value="" '
        'autocomplete="current-password" required>\n'
        f'<input type="hidden" name="execution" value="{escape(execution)}">\n'
        '<input type="hidden" name="_eventId" value="submit">\n'
        '<button type="submit" accesskey="l">Log in</button>\n'
        "</form>\n</main>"
    )
    return page("CAS - Central Authentication Service", body, lang="en")


def unauthorized_service(service: str) -> str:
    body = (
        '<main id="serviceNotAuthorized">\n<h1>Application Not Authorized to Use CAS</h1>\n'
        "<p>The application you attempted to authenticate to is not authorized to use CAS: "
        f"<code>{escape(service)}</code>.</p>\n</main>"
    )
    return page("Application Not Authorized to Use CAS", body, lang="en")


def logged_in(name: str) -> str:
    body = (
        '<main id="loginSuccess">\n<h1>Log In Successful</h1>\n'
        f"<p>You, {escape(name)}, have successfully logged into the Central Authentication "
        'Service.</p>\n<p><a href="/cas/logout">Log out</a></p>\n</main>'
    )
    return page("Log In Successful", body, lang="en")


def logged_out() -> str:
    body = (
        '<main id="logoutSuccess">\n<h1>Logout Successful</h1>\n'
        "<p>You have successfully logged out of the Central Authentication Service.</p>\n</main>"
    )
    return page("Logout Successful", body, lang="en")


def overloaded(retry_after_s: int) -> str:
    body = (
        "<main>\n<h1>Service Unavailable</h1>\n"
        f"<p>Too many logins at once. Please try again in {retry_after_s} s.</p>\n</main>"
    )
    return page("Service Unavailable", body, lang="en")


# Portal pages.


def _portal(title: str, session: PortalSession, content: str) -> str:
    nav = (
        '<nav><a href="/">Accueil</a> | <a href="/homework">Cahier de textes</a> | '
        '<a href="/messages">Messagerie</a> | <a href="/cas/logout">Se déconnecter</a></nav>\n'
    )
    header = (
        f'<header><p id="user">{escape(session.name)} '
        f"({escape(session.role)}, {escape(session.school)})</p></header>\n"
    )
    return page(
        f"ENT - {title}", f"{header}{nav}<main>\n<h1>{escape(title)}</h1>\n{content}</main>"
    )


def _message_list(messages: Iterable[Message]) -> str:
    items = "".join(
        f"<li><time>{escape(m.sent_on)}</time> <strong>{escape(m.subject)}</strong> "
        f"- {escape(m.sender)}</li>\n"
        for m in messages
    )
    return f'<ul class="messages">\n{items}</ul>\n'


def portal_home(session: PortalSession, messages: list[Message], homework_count: int) -> str:
    content = (
        f"<p>Bonjour {escape(session.name)} !</p>\n"
        f'<p><a href="/homework">{homework_count} devoirs</a> au cahier de textes.</p>\n'
        "<h2>Derniers messages</h2>\n"
        f"{_message_list(messages[:3])}"
    )
    return _portal("Accueil", session, content)


def portal_homework(session: PortalSession, entries: list[HomeworkEntry]) -> str:
    rows = "".join(
        f"<tr><td>{escape(e.given_on)}</td><td>{escape(e.subject)}</td><td>{escape(e.task)}</td>"
        f"<td>{escape(e.due_on)}</td><td>{escape(e.teacher)}</td></tr>\n"
        for e in entries
    )
    content = (
        '<table id="homework">\n<tr><th>Donné le</th><th>Matière</th><th>Travail</th>'
        f"<th>Pour le</th><th>Enseignant</th></tr>\n{rows}</table>\n"
    )
    return _portal("Cahier de textes", session, content)


def portal_messages(session: PortalSession, messages: list[Message]) -> str:
    return _portal("Messagerie", session, _message_list(messages))


def portal_error(title: str, detail: str, *, retry_url: str = "") -> str:
    retry = f'<p><a href="{escape(retry_url)}">Se reconnecter</a></p>\n' if retry_url else ""
    return page(title, f"<main>\n<h1>{escape(title)}</h1>\n<p>{escape(detail)}</p>\n{retry}</main>")

"""CAS ticket validation documents: ``<cas:serviceResponse>`` rendered and read back (pure).

CAS 2.0 (``/cas/serviceValidate``) answers the user only; CAS 3.0 (``/cas/p3/serviceValidate``)
adds ``<cas:attributes>``: ``authenticationDate``, ``isFromNewLogin``, and the released person
attributes ``role``, ``school``, ``email``, ``name``.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

CAS_NS = "http://www.yale.edu/tp/cas"

#: Failure codes of the CAS protocol that this server answers.
INVALID_REQUEST = "INVALID_REQUEST"
INVALID_TICKET = "INVALID_TICKET"
INVALID_SERVICE = "INVALID_SERVICE"


@dataclass(frozen=True)
class Validation:
    """What a validation answered: ``user`` on success, ``code`` and ``message`` on failure."""

    user: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    code: str = ""
    message: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.user) and not self.code


def success_xml(
    user: str, attributes: dict[str, str] | None, *, issued_at: float, new_login: bool
) -> str:
    """An ``authenticationSuccess`` document; ``attributes=None`` for CAS 2.0 (no attributes)."""
    lines = [
        f'<cas:serviceResponse xmlns:cas="{CAS_NS}">',
        "  <cas:authenticationSuccess>",
        f"    <cas:user>{escape(user)}</cas:user>",
    ]
    if attributes is not None:
        when = dt.datetime.fromtimestamp(issued_at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        released = {
            "authenticationDate": when,
            "isFromNewLogin": "true" if new_login else "false",
            "longTermAuthenticationRequestTokenUsed": "false",
            **attributes,
        }
        lines.append("    <cas:attributes>")
        lines.extend(
            f"      <cas:{name}>{escape(value)}</cas:{name}>" for name, value in released.items()
        )
        lines.append("    </cas:attributes>")
    lines += ["  </cas:authenticationSuccess>", "</cas:serviceResponse>", ""]
    return "\n".join(lines)


def failure_xml(code: str, message: str) -> str:
    """An ``authenticationFailure`` document with ``code`` and a human message."""
    return (
        f'<cas:serviceResponse xmlns:cas="{CAS_NS}">\n'
        f'  <cas:authenticationFailure code="{escape(code)}">\n'
        f"    {escape(message)}\n"
        "  </cas:authenticationFailure>\n"
        "</cas:serviceResponse>\n"
    )


def parse(document: str) -> Validation:
    """Read a ``serviceResponse``; a document that is not one reads as an ``INVALID_RESPONSE``."""
    try:
        root = ET.fromstring(document)  # noqa: S314  (our own CAS on loopback, not user input)
    except ET.ParseError as error:
        return Validation(code="INVALID_RESPONSE", message=f"not XML: {error}")
    ns = {"cas": CAS_NS}
    success = root.find("cas:authenticationSuccess", ns)
    if success is not None:
        user = (success.findtext("cas:user", default="", namespaces=ns) or "").strip()
        attributes: dict[str, str] = {}
        block = success.find("cas:attributes", ns)
        if block is not None:
            for element in block:
                attributes[element.tag.removeprefix("{" + CAS_NS + "}")] = (
                    element.text or ""
                ).strip()
        return Validation(user=user, attributes=attributes)
    failure = root.find("cas:authenticationFailure", ns)
    if failure is not None:
        return Validation(code=failure.get("code", "UNKNOWN"), message=(failure.text or "").strip())
    return Validation(code="INVALID_RESPONSE", message="neither success nor failure")

"""A self-signed TLS certificate for the sandbox's servers (STARTTLS on the SMTP server).

Generated once into the sandbox directory (``tls/cert.pem``, ``tls/key.pem``, the key readable
by the owner only) and reused while it is valid. It names ``localhost``, ``127.0.0.1`` and the
mail host, so a client that trusts ``cert.pem`` as its CA verifies the server normally.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

VALIDITY = datetime.timedelta(days=365)


def certificate_paths(directory: Path) -> tuple[Path, Path]:
    """(certificate, private key) paths in a sandbox directory."""
    return directory / "tls" / "cert.pem", directory / "tls" / "key.pem"


def ensure_certificate(directory: Path, hostname: str) -> tuple[Path, Path]:
    """The sandbox's certificate and key, generated if missing, expiring or for another host."""
    cert_path, key_path = certificate_paths(directory)
    if cert_path.exists() and key_path.exists() and _still_good(cert_path, hostname):
        return cert_path, key_path
    cert_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName(hostname),
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    _write_private(
        key_path,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    _write_private(cert_path, certificate.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def server_context(cert_path: Path, key_path: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context


def client_context(cert_path: Path) -> ssl.SSLContext:
    """A client context that trusts the sandbox's certificate (and verifies host names)."""
    return ssl.create_default_context(cafile=str(cert_path))


def _still_good(cert_path: Path, hostname: str) -> bool:
    try:
        certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    except ValueError:
        return False
    remaining = certificate.not_valid_after_utc - datetime.datetime.now(datetime.UTC)
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    return remaining > datetime.timedelta(days=7) and hostname in names.value.get_values_for_type(
        x509.DNSName
    )


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    tmp.replace(path)

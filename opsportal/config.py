"""Configuration from environment variables; every one has a default that runs."""

from __future__ import annotations

import ipaddress
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from domain.customers import Supplier
from domain.key_vault import KeyVault, VaultError, new_kek
from domain.order_prices import PriceCheckMode
from domain.urls import UrlRefused, checked_url
from persistence.database import DEFAULT_DATABASE_URL

SUPPLIER_IDENTITY_PATTERN = re.compile(r"^[A-Za-z0-9._\-]+$")
DUNS_PATTERN = re.compile(r"^\d{9}(\d{4})?$")
CURRENCY_PATTERN = re.compile(r"[A-Z]{3}")
CXML_PATH = "/cxml"
START_PATH = "/punchout/start/"
STOREFRONT_PATH = "/storefront"
FREE_FORM_VALUES = {"": None, "allow": True, "refuse": False}
MIN_GRAPHQL_RESPONSE_BYTES = 4 * 1024 * 1024
MIN_CXML_LOG_BYTES = 1024 * 1024


FLAG_VALUES = {"": False, "0": False, "false": False, "no": False, "off": False}
FLAG_VALUES |= {"1": True, "true": True, "yes": True, "on": True}


class ConfigError(ValueError):
    """A configuration value the server cannot start with."""


def _own_url(name: str, url: str, give: str, appended: str) -> None:
    """One of the server's own addresses, judged by the rule every URL the server sends a
    browser to is judged by (domain/urls.py). They are the operator's, so http is allowed (a
    local run is http; TLS is the reverse proxy's). What the server appends to them needs them
    without a fragment, and paths without a query."""
    try:
        checked_url(url, allow_http=True)
    except UrlRefused as why:
        raise ConfigError(f"{name}={url!r} {why}: give {give}.") from None
    parts = urlsplit(url)
    ends = ("#",) if appended.startswith("#") else ("#", "?")
    if parts.fragment or url.endswith(ends) or (parts.query and "?" in ends):
        what = "fragment" if len(ends) == 1 else "query or fragment"
        raise ConfigError(f"{name}={url!r}: no {what} here ({appended} is appended): give {give}.")


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    public_url: str = "http://127.0.0.1:8000"
    supplier_identity: str = "opsportal-supplier"
    supplier_duns: str | None = None
    token_ttl: timedelta = timedelta(hours=12)
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    punchout_start_ttl: timedelta = timedelta(minutes=5)
    # The whole body (a multipart one with attachments too), and the cXML document in it: the
    # XML parser never sees more than the smaller limit (see cxml_document_limit).
    cxml_max_bytes: int = 20 * 1024 * 1024
    cxml_max_document_bytes: int = 1024 * 1024
    head_timeout: float = 10.0  # seconds for a request's line and headers to arrive
    body_timeout: float = 60.0  # seconds for its body to arrive, from the first byte read
    # The largest GraphQL answer, in bytes of JSON (graph/cost.py, graph/response_size.py).
    graphql_max_response_bytes: int = 5 * 1024 * 1024
    storefront_url: str | None = None  # default: public_url + /storefront
    # Whether the storefront API takes free-form cart lines (a headless shop's, priced by it):
    # None: only when storefront_url points elsewhere than the built-in storefront.
    storefront_free_form_lines: bool | None = None
    # Whether a buyer's BrowserFormPost URL may be http (test buyers on a LAN); else https only.
    allow_http_buyer_urls: bool = False
    punchout_session_ttl: timedelta = timedelta(hours=2)
    currency: str = "USD"
    # The key-encryption key(s) that seal PUNCHOUT API Keys at rest (see key_vault()).
    key_encryption_key: str | None = field(default=None, repr=False)
    key_encryption_key_file: str | None = None
    # Retention (domain/retention.py): the log of cXML requests no customer was matched to
    # keeps this long, and at most this many; purges run every retention_interval.
    unmatched_log_max_age: timedelta = timedelta(days=30)
    unmatched_log_max_rows: int = 100_000
    # The whole connection log keeps this long, and at most this many bytes of bodies (the
    # oldest entries go first); punchout sessions and their carts are kept this long after
    # they could last be used.
    cxml_log_max_age: timedelta = timedelta(days=90)
    cxml_log_max_bytes: int = 1024 * 1024 * 1024
    punchout_session_keep: timedelta = timedelta(days=7)
    retention_interval: timedelta = timedelta(minutes=5)
    # Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (addresses and
    # networks); none by default: the connection's own address is the client's.
    trusted_proxies: tuple[str, ...] = field(default_factory=tuple)
    # An order line whose price the catalog does not confirm: the order stored, the line
    # marked (flag), or the order refused (reject). See domain/order_prices.py.
    order_price_check: PriceCheckMode = PriceCheckMode.FLAG

    def __post_init__(self) -> None:
        if not SUPPLIER_IDENTITY_PATTERN.fullmatch(self.supplier_identity):
            raise ConfigError(
                f"OPSPORTAL_SUPPLIER_IDENTITY={self.supplier_identity!r}: the supplier's cXML "
                "identity may hold only letters, digits, '-', '_' and '.'."
            )
        if self.supplier_duns is not None and not DUNS_PATTERN.fullmatch(self.supplier_duns):
            raise ConfigError(
                f"OPSPORTAL_SUPPLIER_DUNS={self.supplier_duns!r}: a DUNS number is 9 digits "
                "(or 13 with a DUNS+4 suffix)."
            )
        if not self.database_url.startswith(("sqlite://", "postgres://", "postgresql://")):
            raise ConfigError(
                f"DATABASE_URL={self.database_shown!r}: give sqlite://PATH or "
                "postgres://USER:PASSWORD@HOST:PORT/DATABASE."
            )
        _own_url(
            "OPSPORTAL_PUBLIC_URL",
            self.public_url,
            "the server's public base URL, e.g. https://punchout.example.com",
            appended="/cxml",
        )
        if self.token_ttl <= timedelta(0):
            raise ConfigError("OPSPORTAL_TOKEN_TTL_MINUTES must be a positive number of minutes.")
        if self.punchout_start_ttl <= timedelta(0):
            raise ConfigError(
                "OPSPORTAL_PUNCHOUT_START_TTL_SECONDS must be a positive number of seconds."
            )
        for name, seconds in (
            ("OPSPORTAL_HEADER_TIMEOUT_SECONDS", self.head_timeout),
            ("OPSPORTAL_BODY_TIMEOUT_SECONDS", self.body_timeout),
        ):
            if not seconds > 0:
                raise ConfigError(f"{name} must be a positive number of seconds.")
        if self.cxml_max_bytes < 1024:
            raise ConfigError("OPSPORTAL_CXML_MAX_BYTES must be at least 1024.")
        if self.cxml_max_document_bytes < 1024:
            raise ConfigError("OPSPORTAL_CXML_MAX_DOCUMENT_BYTES must be at least 1024.")
        if self.graphql_max_response_bytes < MIN_GRAPHQL_RESPONSE_BYTES:
            raise ConfigError(
                f"OPSPORTAL_GRAPHQL_MAX_RESPONSE_BYTES must be at least "
                f"{MIN_GRAPHQL_RESPONSE_BYTES} (4 MiB): the console's connection log asks for "
                "pages that may hold 2.7 MB."
            )
        if self.storefront_url is not None:
            _own_url(
                "OPSPORTAL_STOREFRONT_URL",
                self.storefront_url,
                "the storefront's URL, e.g. https://shop.example.com/punchout",
                appended="#session=...",
            )
        if self.punchout_session_ttl <= timedelta(0):
            raise ConfigError("OPSPORTAL_PUNCHOUT_SESSION_TTL_MINUTES must be positive.")
        if self.unmatched_log_max_age <= timedelta(0):
            raise ConfigError("OPSPORTAL_UNMATCHED_LOG_DAYS must be a positive number of days.")
        if self.unmatched_log_max_rows < 1:
            raise ConfigError("OPSPORTAL_UNMATCHED_LOG_MAX_ROWS must be at least 1.")
        if self.cxml_log_max_age <= timedelta(0):
            raise ConfigError("OPSPORTAL_CXML_LOG_DAYS must be a positive number of days.")
        if self.cxml_log_max_bytes < MIN_CXML_LOG_BYTES:
            raise ConfigError(
                f"OPSPORTAL_CXML_LOG_MAX_BYTES must be at least {MIN_CXML_LOG_BYTES} (1 MiB)."
            )
        if self.punchout_session_keep < timedelta(0):
            raise ConfigError(
                "OPSPORTAL_PUNCHOUT_SESSION_KEEP_DAYS must be 0 or a positive number of days."
            )
        if self.retention_interval <= timedelta(0):
            raise ConfigError(
                "OPSPORTAL_RETENTION_INTERVAL_SECONDS must be a positive number of seconds."
            )
        if not CURRENCY_PATTERN.fullmatch(self.currency):
            raise ConfigError(
                f"OPSPORTAL_CURRENCY={self.currency!r}: an ISO 4217 code such as USD or EUR."
            )

    @property
    def database_shown(self) -> str:
        """The database URL without its password, for printing."""
        parts = urlsplit(self.database_url)
        if parts.password is None:
            return self.database_url
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
        return urlunsplit(parts._replace(netloc=netloc))

    @property
    def cxml_document_limit(self) -> int:
        """The largest cXML document read: a body that is not multipart, or the document part
        of one; never more than the whole body may be."""
        return min(self.cxml_max_document_bytes, self.cxml_max_bytes)

    @property
    def storefront(self) -> str:
        """Where an opened StartPage URL sends the buyer's browser."""
        return self.storefront_url or self.builtin_storefront

    @property
    def builtin_storefront(self) -> str:
        """The address of the storefront this server serves (pages/storefront)."""
        return self.public_url.rstrip("/") + STOREFRONT_PATH

    @property
    def free_form_lines(self) -> bool:
        """Whether `addCartLine` takes lines the storefront priced itself (a headless shop
        elsewhere), or only catalog products: OPSPORTAL_STOREFRONT_FREE_FORM_LINES, by default
        allowed only when OPSPORTAL_STOREFRONT_URL points elsewhere than the built-in one."""
        if self.storefront_free_form_lines is not None:
            return self.storefront_free_form_lines
        return self.storefront.rstrip("/") != self.builtin_storefront

    @property
    def start_url_base(self) -> str:
        """Where the one-time StartPage URLs of punchout sessions live."""
        return self.public_url.rstrip("/") + START_PATH

    def key_vault(self) -> KeyVault:
        """The vault for PUNCHOUT API Keys: OPSPORTAL_KEY_ENCRYPTION_KEY, else the file
        OPSPORTAL_KEY_ENCRYPTION_KEY_FILE names. With neither, SQLite keeps a KEK file beside
        the database file (created on first use, mode 0600: never in the database itself);
        PostgreSQL has no such default, as every worker and machine needs the same KEK."""
        text = self.key_encryption_key
        if text is None and self.key_encryption_key_file is not None:
            try:
                text = Path(self.key_encryption_key_file).read_text().strip()
            except OSError as exc:
                raise ConfigError(
                    f"OPSPORTAL_KEY_ENCRYPTION_KEY_FILE={self.key_encryption_key_file!r}: "
                    f"{exc.strerror}."
                ) from None
        if text is None:
            text = self._default_kek()
        try:
            return KeyVault.from_text(text)
        except VaultError as exc:
            raise ConfigError(
                f"OPSPORTAL_KEY_ENCRYPTION_KEY: {exc} Make one with `opsportal keygen`."
            ) from None

    def _default_kek(self) -> str:
        if not self.database_url.startswith("sqlite://"):
            raise ConfigError(
                "PostgreSQL needs OPSPORTAL_KEY_ENCRYPTION_KEY (or ..._FILE), the same for every "
                "worker and machine: make one with `opsportal keygen` and keep it in your "
                "secret store."
            )
        path = self.database_url.removeprefix("sqlite://").split("?", 1)[0]
        if path in ("", ":memory:"):
            return new_kek()  # the database dies with the process; so may its KEK
        kek_file = Path(path + ".kek")
        try:
            if not kek_file.exists():
                _create_kek_file(kek_file)
            text = kek_file.read_text().strip()
        except OSError as exc:
            raise ConfigError(f"The key-encryption key file {kek_file}: {exc.strerror}.") from None
        if not text:
            raise ConfigError(f"The key-encryption key file {kek_file} is empty.")
        return text

    @property
    def supplier(self) -> Supplier:
        return Supplier(
            identity=self.supplier_identity,
            duns=self.supplier_duns,
            setup_url=self.public_url.rstrip("/") + CXML_PATH,
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the OPSPORTAL_* variables and DATABASE_URL; raises ConfigError on bad values."""
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        def number(name: str, default: str) -> float:
            value = get(name) or default
            try:
                parsed = float(value)
            except ValueError:
                parsed = math.nan
            if not math.isfinite(parsed):
                raise ConfigError(f"{name}={value!r} is not a number.")
            return parsed

        def choice(name: str) -> bool | None:
            value = (get(name) or "").lower()
            if value in FREE_FORM_VALUES:
                return FREE_FORM_VALUES[value]
            raise ConfigError(f"{name}={value!r}: give allow or refuse (or leave it unset).")

        def flag(name: str) -> bool:
            value = (get(name) or "").lower()
            if value in FLAG_VALUES:
                return FLAG_VALUES[value]
            raise ConfigError(f"{name}={value!r}: give 1 (on) or 0 (off).")

        token_ttl = timedelta(minutes=number("OPSPORTAL_TOKEN_TTL_MINUTES", "720"))
        start_ttl = timedelta(seconds=number("OPSPORTAL_PUNCHOUT_START_TTL_SECONDS", "300"))
        max_bytes = number("OPSPORTAL_CXML_MAX_BYTES", str(cls.cxml_max_bytes))
        max_document = number("OPSPORTAL_CXML_MAX_DOCUMENT_BYTES", str(cls.cxml_max_document_bytes))
        max_answer = number("OPSPORTAL_GRAPHQL_MAX_RESPONSE_BYTES", str(5 * 1024 * 1024))
        session_ttl = timedelta(minutes=number("OPSPORTAL_PUNCHOUT_SESSION_TTL_MINUTES", "120"))
        origins = get("OPSPORTAL_CORS_ORIGINS") or ""
        unmatched_days = timedelta(days=number("OPSPORTAL_UNMATCHED_LOG_DAYS", "30"))
        unmatched_rows = number("OPSPORTAL_UNMATCHED_LOG_MAX_ROWS", "100000")
        interval = timedelta(seconds=number("OPSPORTAL_RETENTION_INTERVAL_SECONDS", "300"))
        proxies = trusted_proxies(get("OPSPORTAL_TRUSTED_PROXIES") or "")
        log_days = timedelta(days=number("OPSPORTAL_CXML_LOG_DAYS", "90"))
        log_bytes = number("OPSPORTAL_CXML_LOG_MAX_BYTES", str(cls.cxml_log_max_bytes))
        session_keep = timedelta(days=number("OPSPORTAL_PUNCHOUT_SESSION_KEEP_DAYS", "7"))
        price_check = (get("OPSPORTAL_ORDER_PRICE_CHECK") or "flag").lower()
        if price_check not in {mode.value for mode in PriceCheckMode}:
            raise ConfigError(
                f"OPSPORTAL_ORDER_PRICE_CHECK={price_check!r}: give flag (store the order, mark "
                "the lines) or reject (refuse the order with a cXML 400)."
            )
        return cls(
            database_url=get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            public_url=get("OPSPORTAL_PUBLIC_URL") or cls.public_url,
            supplier_identity=get("OPSPORTAL_SUPPLIER_IDENTITY") or cls.supplier_identity,
            supplier_duns=get("OPSPORTAL_SUPPLIER_DUNS"),
            token_ttl=token_ttl,
            punchout_start_ttl=start_ttl,
            cxml_max_bytes=int(max_bytes),
            head_timeout=number("OPSPORTAL_HEADER_TIMEOUT_SECONDS", "10"),
            body_timeout=number("OPSPORTAL_BODY_TIMEOUT_SECONDS", "60"),
            cxml_max_document_bytes=int(max_document),
            graphql_max_response_bytes=int(max_answer),
            storefront_url=get("OPSPORTAL_STOREFRONT_URL"),
            storefront_free_form_lines=choice("OPSPORTAL_STOREFRONT_FREE_FORM_LINES"),
            allow_http_buyer_urls=flag("OPSPORTAL_ALLOW_HTTP_BUYER_URLS"),
            punchout_session_ttl=session_ttl,
            currency=(get("OPSPORTAL_CURRENCY") or cls.currency).upper(),
            cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
            key_encryption_key=get("OPSPORTAL_KEY_ENCRYPTION_KEY"),
            key_encryption_key_file=get("OPSPORTAL_KEY_ENCRYPTION_KEY_FILE"),
            unmatched_log_max_age=unmatched_days,
            unmatched_log_max_rows=int(unmatched_rows),
            cxml_log_max_age=log_days,
            cxml_log_max_bytes=int(log_bytes),
            punchout_session_keep=session_keep,
            retention_interval=interval,
            trusted_proxies=proxies,
            order_price_check=PriceCheckMode(price_check),
        )


def trusted_proxies(value: str) -> tuple[str, ...]:
    """OPSPORTAL_TRUSTED_PROXIES: comma-separated IP addresses and networks, each written as
    uvicorn compares them."""
    found: list[str] = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        try:
            found.append(
                str(ipaddress.ip_network(item, strict=False))
                if "/" in item
                else str(ipaddress.ip_address(item))
            )
        except ValueError:
            raise ConfigError(
                f"OPSPORTAL_TRUSTED_PROXIES: {item!r} is not an IP address or network; give "
                "the reverse proxies' addresses, comma-separated (e.g. 127.0.0.1 or 10.0.0.0/24)."
            ) from None
    return tuple(dict.fromkeys(found))


def _create_kek_file(kek_file: Path) -> None:
    """Write a new KEK beside the database, whole or not at all: written and synced under a
    temporary name, then linked into place (a concurrent first start keeps the one that won)."""
    temporary = kek_file.with_name(f"{kek_file.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as out:
            out.write(new_kek() + "\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, kek_file)
        except FileExistsError:
            pass
        folder = os.open(kek_file.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    finally:
        temporary.unlink(missing_ok=True)

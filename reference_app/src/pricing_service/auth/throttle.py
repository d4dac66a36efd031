"""Login throttling that holds under concurrency and cannot be turned against an account's owner.

Every attempt is a ``login_failures`` row **inserted and committed before its password is
checked**; only then are the attempts before it counted. Of N concurrent attempts, the k-th to
commit sees at least k rows, so no more than the limit can ever be evaluated at once (a count
taken before the write, as before issue 22, let 20 concurrent guesses all through). An attempt
that is refused deletes its own row, so hammering costs a refused request, not a longer wait
for everyone; an evaluated wrong guess stays; a success deletes the attempts of its account from
its address.

Three limits, each over ``LOGIN_FAILURE_WINDOW_SECONDS``:

* one account from one address (``LOGIN_MAX_FAILURES``): someone guessing a password;
* one address, any account (``LOGIN_MAX_FAILURES_PER_ADDRESS``): password spraying;
* one account from addresses it never signed in from (``LOGIN_MAX_FAILURES_PER_ACCOUNT``): a
  guess spread over many addresses. An address the account signed in from within
  ``LOGIN_KNOWN_ADDRESS_DAYS`` is exempt from this one, so a stranger cannot lock the owner out
  (ASVS 4.0.3 V2.2.1: "risk-based restrictions such as ... first login on a device").

Beyond a limit an attempt must wait ``LOGIN_DELAY_SECONDS`` after the latest failure counted by
that limit, doubled for each further failure, at most the window: delays grow, nothing locks.
IPv6 clients are counted per /64, the block one subscriber usually gets.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from pricing_service.auth.models import LoginFailure, LoginKnownAddress, normalize_email
from pricing_service.auth.problems import LoginThrottledError
from pricing_service.core.time import as_utc
from pricing_service.settings import Settings

MAX_KEY_LENGTH = 64  # the client_ip column
_MAX_DOUBLINGS = 20  # 2**20 x the delay is far beyond any window: the cap applies


def account_key(email: str) -> str:
    """SHA-256 of the normalised email: the same whether or not the account exists."""
    return hashlib.sha256(normalize_email(email).encode()).hexdigest()


def client_key(host: str | None) -> str:
    """The address as counted: IPv4 as is, IPv6 by its /64, anything else (a test transport, a
    Unix socket) by its first 64 characters."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:MAX_KEY_LENGTH]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


@dataclass(frozen=True)
class _Scope:
    name: str
    limit: int
    count: int
    newest: datetime | None

    def wait_until(self, delay: timedelta, window: timedelta) -> datetime | None:
        if self.count < self.limit or self.newest is None:
            return None
        doublings = min(self.count - self.limit, _MAX_DOUBLINGS)
        return as_utc(self.newest) + min(delay * (1 << doublings), window)


class LoginThrottle:
    """The throttle's reads and writes, in the caller's session (it commits where it says)."""

    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.window = timedelta(seconds=settings.login_failure_window_seconds)
        self.delay = timedelta(seconds=settings.login_delay_seconds)
        self.known_for = timedelta(days=settings.login_known_address_days)
        self.per_pair = settings.login_max_failures
        self.per_address = settings.login_max_failures_per_address
        self.per_account = settings.login_max_failures_per_account

    async def admit(self, account: str, client: str, now: datetime) -> int:
        """Record the attempt (committed), then refuse it when a limit says wait.

        Returns the attempt's id. Raises :class:`LoginThrottledError` (its row deleted) when
        throttled. Leaves the session outside any transaction either way.
        """
        attempt: int | None = await self.session.scalar(
            insert(LoginFailure)
            .values(account_key=account, client_ip=client, failed_at=now)
            .returning(LoginFailure.id)
        )
        await self.session.commit()
        assert attempt is not None
        scopes = await self._scopes(account, client, attempt, now)
        waits = [
            (scope.name, until)
            for scope in scopes
            if (until := scope.wait_until(self.delay, self.window)) is not None and until > now
        ]
        if any(name == "account" for name, _ in waits) and await self._known(account, client, now):
            waits = [(name, until) for name, until in waits if name != "account"]
        if not waits:
            return attempt
        await self.session.execute(delete(LoginFailure).where(LoginFailure.id == attempt))
        await self.session.commit()
        latest = max(until for _, until in waits)
        raise LoginThrottledError(max(1, math.ceil((latest - now).total_seconds())))

    async def failed(self, now: datetime) -> None:
        """The attempt stays as a failure; rows older than the window go (the caller commits)."""
        await self.session.execute(
            delete(LoginFailure).where(LoginFailure.failed_at < now - self.window)
        )

    async def succeeded(self, account: str, client: str, now: datetime) -> None:
        """Forget this account's attempts from this address and remember the address (the
        caller commits)."""
        await self.session.execute(
            delete(LoginFailure).where(
                LoginFailure.account_key == account, LoginFailure.client_ip == client
            )
        )
        await self.session.execute(
            delete(LoginKnownAddress).where(
                LoginKnownAddress.account_key == account,
                LoginKnownAddress.last_success_at < now - self.known_for,
            )
        )
        dialect = self.session.get_bind().dialect.name
        upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(
            LoginKnownAddress
        ).values(account_key=account, client_ip=client, last_success_at=now)
        await self.session.execute(
            upsert.on_conflict_do_update(
                index_elements=["account_key", "client_ip"],
                set_={"last_success_at": upsert.excluded.last_success_at},
            )
        )

    async def _scopes(
        self, account: str, client: str, attempt: int, now: datetime
    ) -> tuple[_Scope, ...]:
        """One read of the attempts before this one, in the three scopes (FILTER clauses)."""
        same_account = LoginFailure.account_key == account
        same_client = LoginFailure.client_ip == client
        pair = and_(same_account, same_client)
        row = (
            await self.session.execute(
                select(
                    func.count().filter(pair),
                    func.max(LoginFailure.failed_at).filter(pair),
                    func.count().filter(same_client),
                    func.max(LoginFailure.failed_at).filter(same_client),
                    func.count().filter(same_account),
                    func.max(LoginFailure.failed_at).filter(same_account),
                ).where(
                    or_(same_account, same_client),
                    LoginFailure.failed_at >= now - self.window,
                    LoginFailure.id != attempt,
                )
            )
        ).one()
        return (
            _Scope("pair", self.per_pair, row[0], row[1]),
            _Scope("address", self.per_address, row[2], row[3]),
            _Scope("account", self.per_account, row[4], row[5]),
        )

    async def _known(self, account: str, client: str, now: datetime) -> bool:
        found = await self.session.scalar(
            select(LoginKnownAddress.last_success_at).where(
                LoginKnownAddress.account_key == account,
                LoginKnownAddress.client_ip == client,
                LoginKnownAddress.last_success_at >= now - self.known_for,
            )
        )
        return found is not None

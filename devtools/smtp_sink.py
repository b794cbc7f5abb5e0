"""A real SMTP server on 127.0.0.1 that records what it receives, for the reminder
tests and the benchmark's F10 (aiosmtpd, from requirements/dev). It counts TCP
connections and messages by Message-ID, and can misbehave on purpose: refuse the first
recipients (451), hold one recipient command (a worker killed while waiting
for the server), or answer slowly."""

from __future__ import annotations

import asyncio
import email
import logging
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SmtpSink:
    port: int = 0
    connections: int = 0
    refused: int = 0
    message_ids: list[str] = field(default_factory=list)
    # Refuse this many RCPT commands with 451 before accepting any.
    refuse_first: int = 0
    # Once, when this many messages have arrived, hold the next RCPT for `hold_seconds`.
    hold_after: int | None = None
    hold_seconds: float = 10.0
    holding: bool = False
    delay: float = 0.0  # seconds before answering each DATA
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # aiosmtpd handler hooks ------------------------------------------------------------

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self._lock:
            if self.refused < self.refuse_first:
                self.refused += 1
                return "451 4.3.0 Try again later"
        if self.hold_after is not None and len(self.message_ids) >= self.hold_after:
            self.hold_after = None
            self.holding = True
            await asyncio.sleep(self.hold_seconds)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        parsed = email.message_from_bytes(envelope.original_content or envelope.content)
        with self._lock:
            self.message_ids.append(str(parsed["Message-ID"]))
        return "250 Message accepted"

    # running ---------------------------------------------------------------------------

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import SMTP

        sink = self

        class CountingSMTP(SMTP):
            def connection_made(self, transport):
                with sink._lock:
                    sink.connections += 1
                super().connection_made(transport)

        class CountingController(Controller):
            def factory(self):
                return CountingSMTP(self.handler, **self.SMTP_kwargs)

        # aiosmtpd logs every command at INFO: a benchmark's worth of noise.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.port = self.port or free_port()
        self._controller = CountingController(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        # start() connects once itself to check the server is up: not a client's.
        time.sleep(0.05)
        with self._lock:
            self.connections = 0
        return self

    def stop(self) -> None:
        self._controller.stop()

    @property
    def received(self) -> int:
        return len(self.message_ids)

    def duplicates(self) -> int:
        return sum(n - 1 for n in Counter(self.message_ids).values() if n > 1)

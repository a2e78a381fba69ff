"""A small SMTP server on loopback that keeps what it is sent, for the mail tests.

Python 3.12 removed smtpd, and a mail catcher would be one more service to run:
this answers the commands Django's SMTP backend sends (EHLO, AUTH PLAIN, MAIL,
RCPT, DATA, RSET, NOOP, QUIT) and records each mail with the login it came
under. Bounded: each connection times out, threads are daemons, the server
stops with the block.
"""

from __future__ import annotations

import base64
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from tests.support.loopback import HOST

SECONDS_PER_CONNECTION = 10


@dataclass
class Mail:
    login: tuple[str, str] | None
    sender: str
    recipients: list[str]
    data: str


@dataclass
class SmtpServer:
    port: int
    received: list[Mail] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)


def _address(argument: str) -> str:
    """``FROM:<a@b>`` -> ``a@b``."""
    return argument.split(":", 1)[1].strip().split()[0].strip("<>")


class _Session(socketserver.StreamRequestHandler):
    timeout = SECONDS_PER_CONNECTION
    server: _Server

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        login: tuple[str, str] | None = None
        sender, recipients = "", list[str]()
        self.reply("220 localhost test SMTP")
        while raw := self.rfile.readline():
            command, _, argument = raw.decode().rstrip("\r\n").partition(" ")
            verb = command.upper()
            if verb in {"EHLO", "HELO"}:
                self.reply("250-localhost\r\n250 AUTH PLAIN")
            elif verb == "AUTH" and argument.upper().startswith("PLAIN "):
                _, user, password = base64.b64decode(argument.split()[1]).decode().split("\0")
                login = (user, password)
                self.server.logins.append(login)
                self.reply("235 Authenticated")
            elif verb == "MAIL":
                sender, recipients = _address(argument), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(_address(argument))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines: list[str] = []
                while (line := self.rfile.readline().decode()) not in {".\r\n", ""}:
                    lines.append(line)
                self.server.received.append(Mail(login, sender, recipients, "".join(lines)))
                self.reply("250 Queued")
            elif verb in {"RSET", "NOOP"}:
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    received: list[Mail]
    logins: list[tuple[str, str]]


@contextmanager
def smtp_server(host: str = HOST) -> Iterator[SmtpServer]:
    """An SMTP server on a free port of ``host`` (loopback) until the block ends; what it received."""
    server = _Server((host, 0), _Session)
    state = SmtpServer(port=int(server.server_address[1]))
    server.received, server.logins = state.received, state.logins
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

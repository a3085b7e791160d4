"""A real SMTP server for tests (aiosmtpd): every message it receives is written, as received,
to DIR/<n>.eml. Usage: smtp_sink.py PORT DIR. Prints "ready" once it listens."""
import asyncio
import pathlib
import sys

from aiosmtpd.controller import Controller


class Save:
    def __init__(self, folder):
        self.folder = pathlib.Path(folder)
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        target = self.folder / f"{self.count:05d}.eml"
        target.with_suffix(".tmp").write_bytes(envelope.original_content)
        target.with_suffix(".tmp").rename(target)
        return "250 OK"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    pathlib.Path(folder).mkdir(parents=True, exist_ok=True)
    controller = Controller(Save(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()

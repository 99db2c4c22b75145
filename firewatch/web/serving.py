"""Run the web app with a real uvicorn server in a background thread (tests, screenshots).

`AppServer(app).start()` binds 127.0.0.1 on a free port (port 0), waits until uvicorn
reports it is serving (polling with a deadline), and returns the base URL; `stop()`
asks uvicorn to exit and joins the thread. uvicorn's own proxy headers stay off: the app trusts
only the proxies its settings name (`[web] trusted_proxies`).
"""

from __future__ import annotations

import threading
import time

import uvicorn


class AppServer:
    """One uvicorn server for one ASGI app, in a daemon thread."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0):
        self._server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off",
                                                     access_log=False, proxy_headers=False))
        self._thread = threading.Thread(target=self._server.run, name="firewatch-web", daemon=True)
        self.url = ""

    def start(self, timeout: float = 20.0) -> str:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the web app's uvicorn server did not start")
            time.sleep(0.01)
        host, port = self._server.servers[0].sockets[0].getsockname()[:2]
        self.url = f"http://{host}:{port}"
        return self.url

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)

"""The container's health check: exit 0 when dealbot's /readyz answers 200, else 1 with the
reason (docker inspect shows it). Only the standard library: it runs every 30 s."""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request


def main() -> int:
    port = os.environ.get("DEALBOT_HTTP_PORT") or "8080"
    url = f"http://127.0.0.1:{port}/readyz"
    try:
        with urllib.request.urlopen(url, timeout=4) as answer:  # noqa: S310 (a fixed loopback URL)
            body = json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:  # 503: not ready, and why
        try:
            reasons = json.loads(error.read() or b"{}").get("reasons") or [f"HTTP {error.code}"]
        except ValueError:
            reasons = [f"HTTP {error.code}"]
        print(f"not ready: {'; '.join(reasons)}")
        return 1
    except (OSError, ValueError) as error:
        print(f"no answer from {url}: {error}")
        return 1
    print("ready" if body.get("ready") else f"not ready: {body}")
    return 0 if body.get("ready") else 1


if __name__ == "__main__":
    sys.exit(main())

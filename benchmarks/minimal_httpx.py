"""The floor for this stack: import httpx, send the same preflight and PUT, print the statuses."""

from __future__ import annotations

import sys

import httpx

ORIGIN = "http://localhost:3000"


def main(url: str) -> None:
    with httpx.Client() as client:
        preflight = client.options(
            url,
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "PUT",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        actual = client.put(
            url, headers={"Origin": ORIGIN, "Content-Type": "application/json"}, content=b"{}"
        )
    print(preflight.status_code, actual.status_code)


if __name__ == "__main__":
    main(sys.argv[1])

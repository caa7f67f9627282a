"""HTTP for the providers: transport errors and 5xx are transient, 4xx permanent."""

from __future__ import annotations

import httpx

from motcua.services.outbox import PermanentFailure, TransientFailure


def post_json(client: httpx.Client, url: str, body: dict, provider: str,
              headers: dict[str, str] | None = None) -> dict:
    try:
        response = client.post(url, json=body, headers=headers)
    except httpx.TransportError as exc:
        raise TransientFailure(f"{provider} không trả lời: {exc!r}") from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise TransientFailure(f"{provider} trả lỗi HTTP {response.status_code}.")
    if response.status_code >= 400:
        raise PermanentFailure(f"{provider} từ chối (HTTP {response.status_code}): "
                               f"{response.text[:300]}")
    try:
        return response.json()
    except ValueError as exc:
        raise TransientFailure(f"{provider} trả lời không phải JSON.") from exc


def client(timeout: float = 10.0) -> httpx.Client:
    return httpx.Client(timeout=timeout, headers={"User-Agent": "motcua"})

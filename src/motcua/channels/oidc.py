"""Signing citizens in with OpenID Connect (the national portal's SSO, VNeID-style
providers): the authorization code flow with PKCE, ``state`` and ``nonce``.

The provider is found by its discovery document; the ID token's signature is checked
against the provider's published keys (joserfc, the JOSE library of the Authlib
project), then its issuer, audience, expiry, issue time and nonce; the code challenge is
Authlib's S256. A token that fails any check is refused. The claims are the ID token's,
completed by the userinfo endpoint's for the same subject.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet


class SignInFailed(Exception):
    """The provider's answer cannot be trusted; ``str()`` says why in Vietnamese."""


@dataclass
class Started:
    url: str
    state: str
    nonce: str
    verifier: str


@dataclass
class OidcClient:
    discovery_url: str
    client_id: str
    client_secret: str
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10))
    _meta: dict | None = None
    _keys: KeySet | None = None
    _fetched: float = 0.0

    def meta(self) -> dict:
        if self._meta is None or time.monotonic() - self._fetched > 3600:
            try:
                answer = self.http.get(self.discovery_url)
                answer.raise_for_status()
                self._meta = answer.json()
                self._keys = KeySet.import_key_set(
                    self.http.get(self._meta["jwks_uri"]).json())
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                raise SignInFailed(f"Không kết nối được nhà cung cấp định danh: {exc}") from exc
            self._fetched = time.monotonic()
        return self._meta

    def start(self, redirect_uri: str, scope: str = "openid profile") -> Started:
        meta = self.meta()
        state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
        query = {"response_type": "code", "client_id": self.client_id,
                 "redirect_uri": redirect_uri, "scope": scope, "state": state,
                 "nonce": nonce, "code_challenge": create_s256_code_challenge(verifier),
                 "code_challenge_method": "S256"}
        return Started(f"{meta['authorization_endpoint']}?{urlencode(query)}", state, nonce,
                       verifier)

    def finish(self, code: str, redirect_uri: str, verifier: str, nonce: str) -> dict:
        """The verified claims of the signed-in person."""
        meta = self.meta()
        try:
            form = {"grant_type": "authorization_code", "code": code,
                    "redirect_uri": redirect_uri, "code_verifier": verifier,
                    "client_id": self.client_id}
            if self.client_secret:  # a confidential client (client_secret_post)
                form["client_secret"] = self.client_secret
            answer = self.http.post(meta["token_endpoint"], data=form)
        except httpx.HTTPError as exc:
            raise SignInFailed(f"Nhà cung cấp định danh không trả lời: {exc}") from exc
        if answer.status_code != 200 or "id_token" not in answer.text:
            raise SignInFailed("Nhà cung cấp định danh không cấp mã xác thực "
                               f"(HTTP {answer.status_code}).")
        tokens = answer.json()
        claims = self.verify(tokens["id_token"], nonce)
        if tokens.get("access_token") and meta.get("userinfo_endpoint"):
            info = self.http.get(meta["userinfo_endpoint"], headers={
                "Authorization": f"Bearer {tokens['access_token']}"})
            if info.status_code == 200:
                extra = info.json()
                if extra.get("sub") != claims["sub"]:
                    raise SignInFailed("Thông tin người dùng không khớp mã định danh đăng nhập.")
                claims = {**extra, **claims}
        return claims

    def verify(self, id_token: str, nonce: str) -> dict:
        meta = self.meta()
        try:
            token = jwt.decode(id_token, self._keys, algorithms=["RS256", "ES256"])
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": meta["issuer"]},
                aud={"essential": True, "value": self.client_id},
                sub={"essential": True}, exp={"essential": True}, iat={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(token.claims)
        except (JoseError, ValueError) as exc:
            raise SignInFailed(f"Mã xác thực (ID token) không hợp lệ: "
                               f"{exc.__class__.__name__}.") from exc
        return dict(token.claims)

    def close(self) -> None:
        self.http.close()

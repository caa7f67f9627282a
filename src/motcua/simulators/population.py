"""The population database's look-up for the demo and the tests
(``motcua.channels.population``): people registered with ``PUT /_cong-dan/{id}``
(``HoVaTen``, ``NamSinh``, ``ThuongTru``, ``NoiOHienTai``); ``POST /_hong`` ``{"down":
true}`` makes it answer 503."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from motcua.domain.text import fold

LOOKUP_PATH = "/api/dan-cu/xac-thuc-cong-dan"


@dataclass
class PopulationSimulator:
    token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    people: dict[str, dict] = field(default_factory=dict)
    down: bool = False
    asked: int = 0

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route(LOOKUP_PATH, self.lookup, methods=["POST"]),
            Route("/_cong-dan/{id_number}", self.register, methods=["PUT"]),
            Route("/_hong", self.breakdown, methods=["POST"]),
        ])

    async def lookup(self, request: Request) -> Response:
        if self.down:
            return JSONResponse({"message": "Hệ thống bận"}, status_code=503)
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return JSONResponse({"message": "Sai mã truy cập"}, status_code=401)
        self.asked += 1
        body = await request.json()
        person = self.people.get(str(body.get("SoDinhDanh", "")))
        if person is None:
            return JSONResponse({"MaKetQua": "2", "MoTa": "Không có số định danh"})
        same_name = fold(person["HoVaTen"]) == fold(str(body.get("HoVaTen", "")))
        year = str(body.get("NamSinh") or "")
        if not same_name or (year and year != str(person.get("NamSinh", ""))):
            return JSONResponse({"MaKetQua": "1", "MoTa": "Thông tin không khớp"})
        return JSONResponse({"MaKetQua": "0", "MoTa": "Khớp",
                             "ThuongTru": person.get("ThuongTru", ""),
                             "NoiOHienTai": person.get("NoiOHienTai", "")})

    async def register(self, request: Request) -> Response:
        self.people[request.path_params["id_number"]] = await request.json()
        return Response(status_code=204)

    async def breakdown(self, request: Request) -> JSONResponse:
        self.down = bool((await request.json()).get("down", True))
        return JSONResponse({"down": self.down})


def settings_for(sim: PopulationSimulator, url: str) -> dict[str, str]:
    return {"population_url": url + LOOKUP_PATH, "population_token": sim.token}

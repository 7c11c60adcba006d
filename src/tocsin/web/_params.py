"""Values no database can hold, refused at the edge: before any route reads them.

PostgreSQL refuses text with a NUL character (``\\x00``) and integers past its 4-byte
``integer``; SQLite's driver refuses integers past 8 bytes. Such a value in a URL or a
body used to reach a query and answer 500. Every route runs :func:`check_parameters`
first (it is part of :func:`tocsin.web._deps.check_csrf`, which every route, the core's
and the capabilities', declares), so no route can forget it:

- an integer path parameter out of range answers 404 (nothing has such an id);
- an integer query parameter out of range, a NUL in the query string, or a NUL in a
  JSON or URL-encoded form body answers 422, naming the parameter;
- a NUL in a path parameter answers 404.

Multipart bodies are not read here (uploads may be large, and files may hold any byte):
models that take text from them refuse NUL themselves (``tocsin.incidents.IncidentReportIn``).
"""

from __future__ import annotations

import json
import types
import typing
from typing import Any

from fastapi import HTTPException, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

#: The range of PostgreSQL's ``integer`` (SQLite's is wider): ids and counts fit in it.
MIN_INT = -(2**31)
MAX_INT = 2**31 - 1
NUL = "\x00"
NUL_MESSAGE = "must not contain NUL characters (\\u0000)"

_INT_PARAMS: dict[int, tuple[APIRoute, tuple[str, ...], tuple[str, ...]]] = {}


def _is_int(annotation: Any) -> bool:
    if annotation is int:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(arg is int for arg in typing.get_args(annotation))
    return False


def _int_params(route: APIRoute) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The names of the route's integer path and query parameters (its dependencies' too)."""
    found = _INT_PARAMS.get(id(route))
    if found is None or found[0] is not route:
        path, query = _ints_of(route.dependant)
        found = (route, tuple(sorted(path)), tuple(sorted(query)))
        _INT_PARAMS[id(route)] = found
    return found[1], found[2]


def _ints_of(dependant: Dependant) -> tuple[set[str], set[str]]:
    path = {p.alias for p in dependant.path_params if _is_int(p.field_info.annotation)}
    query = {p.alias for p in dependant.query_params if _is_int(p.field_info.annotation)}
    for sub in dependant.dependencies:
        sub_path, sub_query = _ints_of(sub)
        path |= sub_path
        query |= sub_query
    return path, query


def _out_of_range(raw: object) -> bool:
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        return False
    try:
        value = int(raw)  # a string, or an int already (a path of "{id:int}")
    except ValueError:
        return False  # not an integer: the route's own validation answers 422
    return not MIN_INT <= value <= MAX_INT


def _invalid(location: str, name: str, message: str) -> RequestValidationError:
    loc = (location, name) if name else (location,)
    return RequestValidationError(
        [{"loc": loc, "msg": message, "type": "value_error", "input": None}]
    )


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


async def check_parameters(request: Request) -> None:
    """Refuse a request whose path, query or body holds a value no database can store."""
    for value in request.path_params.values():
        if isinstance(value, str) and NUL in value:
            raise HTTPException(404, "Not Found")
    for name, value in request.query_params.multi_items():
        if NUL in name or NUL in value:
            raise _invalid("query", name.replace(NUL, ""), NUL_MESSAGE)
    route = request.scope.get("route")
    if isinstance(route, APIRoute):
        path_ints, query_ints = _int_params(route)
        for name in path_ints:
            if _out_of_range(request.path_params.get(name)):
                raise HTTPException(404, "Not Found")
        for name in query_ints:
            for raw in request.query_params.getlist(name):
                if _out_of_range(raw):
                    raise _invalid("query", name, f"must be from {MIN_INT} to {MAX_INT}")
    await _check_body(request)


async def _check_body(request: Request) -> None:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        body = await request.body()  # already read by FastAPI for a route with a body
        if b"\\u0000" not in body and b"\x00" not in body:
            return
        try:
            parsed = json.loads(body)
        except ValueError:
            return  # not JSON: the route's own validation answers 422
        if _has_nul(parsed):
            raise _invalid("body", "", NUL_MESSAGE)
    elif content_type.startswith("application/x-www-form-urlencoded"):
        # parsed once and kept by the request (FastAPI has read it for a route with form
        # fields, and the stream cannot be read twice)
        for name, value in (await request.form()).multi_items():
            if NUL in name or (isinstance(value, str) and NUL in value):
                raise _invalid("body", name.replace(NUL, ""), NUL_MESSAGE)

"""The toolkit's own instance format: JSON validated by `instance_schema.json` (beside
this module, package data).

Loading runs four layers of checks and stops at the first fault, reported as one
`InstanceError` naming the file and the JSON path: the values (finite numbers of a
physical size, unique keys, valid Unicode), the JSON Schema (types, ranges, required
fields; via `jsonschema`), cross-references (duplicate ids, unknown companies, road
types and locations), and physics (coordinate ranges, time windows, demand against
capacity, a road network that leaves a location unreachable).
"""

from __future__ import annotations

import json
import reprlib
from collections.abc import Iterator
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import networkx as nx

from lastmile.errors import InstanceError
from lastmile.model import (
    DAY_MIN,
    DEFAULT_EMISSION_FACTOR,
    Access,
    Center,
    CommunityFeatures,
    Company,
    DistanceSpec,
    Edge,
    Fleet,
    Hub,
    Instance,
    Node,
    Provenance,
    RoadType,
    RoadVertex,
    Site,
    TimeWindow,
    Truck,
)
from lastmile.readers.physics import number, read_text

SCHEMA = "instance_schema.json"
FORMAT = "lastmile-instance/1"


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(files("lastmile.readers").joinpath(SCHEMA).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def read_json_instance(path: str | Path) -> Instance:
    """Load and validate an instance file; raise `InstanceError` on the first fault."""
    return parse_json_instance(read_text(path), str(path))


def parse_json_instance(text: str, file: str = "<string>") -> Instance:
    """Validate and build an instance from the text of a JSON instance file."""
    try:
        doc = json.loads(text, object_pairs_hook=_Object)
    except json.JSONDecodeError as exc:
        raise InstanceError(file, f"line {exc.lineno} column {exc.colno}", f"invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise InstanceError(file, "", "invalid JSON: nested too deeply to be an instance") from None
    except ValueError as exc:  # Python refuses integers of more than 4300 digits
        if "digits" not in str(exc):
            raise
        raise InstanceError(file, "", "invalid JSON: a number of more than 4300 digits") from None
    if not isinstance(doc, dict):
        raise InstanceError(file, "$", f"the document is a JSON {_JSON_TYPES[type(doc)]}, not an object")
    _check_values(doc, file)
    error = jsonschema.exceptions.best_match(_validator().iter_errors(doc))
    if error is not None:
        raise InstanceError(file, error.json_path, _short_message(error))
    _check_references(doc, file)
    _check_physics(doc, file)
    return _build(doc, file)


_JSON_TYPES = {list: "array", str: "string", int: "number", float: "number", bool: "boolean", type(None): "null"}


class _Object(dict):
    """A JSON object as `json` decodes it, remembering a key it saw twice (the
    decoder would keep the last silently); `duplicate` is None when every key is
    unique."""

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(pairs)
        keys = [key for key, _ in pairs]
        self.duplicate = None
        if len(self) < len(keys):
            self.duplicate = next(key for k, key in enumerate(keys) if key in keys[:k])


def _check_values(doc: Any, file: str) -> None:
    """Before the schema: every number finite and of a physical size, every object's
    keys unique, every string valid Unicode. Iterative: a deep document must not
    exhaust the stack."""
    stack = [("$", doc)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            number(file, where, value, minimum=None)
        elif isinstance(value, str):
            if not _encodable(value):
                raise InstanceError(file, where, UNICODE_FAULT)
        elif isinstance(value, _Object):
            if value.duplicate is not None:
                raise InstanceError(file, where, f"duplicate key {value.duplicate!r} (JSON objects need unique keys)")
            if not all(_encodable(key) for key in value):
                raise InstanceError(file, where, UNICODE_FAULT)
            stack.extend((f"{where}.{key}", item) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((f"{where}[{k}]", item) for k, item in reversed(list(enumerate(value))))


UNICODE_FAULT = "a string that is not valid Unicode (a lone surrogate escape)"


def _encodable(text: str) -> bool:
    """JSON's `\\ud800` escapes decode to lone surrogates, which no file or terminal takes."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _short_message(error: jsonschema.ValidationError) -> str:
    """The schema's message, with the offending value shortened (an object or array
    would otherwise be printed whole)."""
    whole = repr(error.instance)
    return error.message.replace(whole, reprlib.repr(error.instance)) if len(whole) > 60 else error.message


def _sites(doc: dict) -> Iterator[tuple[str, dict]]:
    """Every located thing with its JSON path: centers, depots, nodes, hubs."""
    for k, center in enumerate(doc["centers"]):
        yield f"$.centers[{k}]", center
    for k, company in enumerate(doc["companies"]):
        yield f"$.companies[{k}].depot", company["depot"]
    for k, node in enumerate(doc["nodes"]):
        yield f"$.nodes[{k}]", node
    for k, hub in enumerate(doc.get("hubs", [])):
        yield f"$.hubs[{k}]", hub


def _vertices(doc: dict) -> Iterator[tuple[str, dict]]:
    """Every located thing and the road network's own vertices, with their JSON paths."""
    yield from _sites(doc)
    for k, vertex in enumerate(doc.get("road_vertices", [])):
        yield f"$.road_vertices[{k}]", vertex


def _check_references(doc: dict, file: str) -> None:
    seen: dict[str, str] = {}
    for where, site in _vertices(doc):
        if site["id"] in seen:
            raise InstanceError(file, f"{where}.id", f"duplicate id {site['id']!r} (first used at {seen[site['id']]})")
        seen[site["id"]] = f"{where}.id"
    companies: dict[str, str] = {}
    for k, company in enumerate(doc["companies"]):
        if company["id"] in companies:
            raise InstanceError(file, f"$.companies[{k}].id", f"duplicate company id {company['id']!r}")
        companies[company["id"]] = f"$.companies[{k}]"
    road_types = {}
    for k, road_type in enumerate(doc.get("road_types", [])):
        if road_type["id"] in road_types:
            raise InstanceError(file, f"$.road_types[{k}].id", f"duplicate road type {road_type['id']!r}")
        road_types[road_type["id"]] = road_type
    nodes = {node["id"]: node for node in doc["nodes"]}
    standing = nodes | {v["id"]: v for v in doc.get("road_vertices", [])}  # where a site may stand
    for k, node in enumerate(doc["nodes"]):
        for key in ("demand", "pickup"):
            for company in node.get(key, {}):
                if company not in companies:
                    raise InstanceError(file, f"$.nodes[{k}].{key}.{company}", f"unknown company {company!r}")
    for where, site in _sites(doc):
        if "node" in site:
            node = standing.get(site["node"])
            if node is None:
                raise InstanceError(file, f"{where}.node", f"unknown node {site['node']!r}")
            off = abs(node["x"] - site["x"]) > 1e-9 or abs(node["y"] - site["y"]) > 1e-9
            if off and "access" not in site:
                raise InstanceError(file, f"{where}.node", f"coordinates differ from those of node {site['node']!r}")
        if "access" in site:
            if doc["distance"]["metric"] != "road" or "node" not in site:
                raise InstanceError(
                    file,
                    f"{where}.access",
                    "an access road needs metric 'road' and the 'node' it enters the network at",
                )
            kind = site["access"].get("road_type")
            if kind is not None and kind not in road_types:
                raise InstanceError(file, f"{where}.access.road_type", f"unknown road type {kind!r}")
    for k, node in enumerate(doc["nodes"]):
        town = node.get("town")
        if town is not None and (town not in nodes or town == node["id"] or "town" in nodes[town]):
            raise InstanceError(file, f"$.nodes[{k}].town", f"{town!r} is not another node that is itself a town")
    if "feeder" in doc and not any("town" in node for node in doc["nodes"]):
        raise InstanceError(file, "$.feeder", "a feeder vehicle needs village nodes with a 'town'")
    for k, edge in enumerate(doc.get("edges", [])):
        for end in ("u", "v"):
            if edge[end] not in seen:
                raise InstanceError(file, f"$.edges[{k}].{end}", f"unknown location {edge[end]!r}")
        if edge["u"] == edge["v"]:
            raise InstanceError(file, f"$.edges[{k}]", f"edge joins {edge['u']!r} to itself")
        if edge["road_type"] not in road_types:
            raise InstanceError(file, f"$.edges[{k}].road_type", f"unknown road type {edge['road_type']!r}")


def _check_physics(doc: dict, file: str) -> None:
    if doc["coordinates"] != "planar":
        for where, site in _sites(doc):
            if not -180.0 <= site["x"] <= 180.0:
                raise InstanceError(file, f"{where}.x", f"longitude {site['x']} outside [-180, 180]")
            if not -90.0 <= site["y"] <= 90.0:
                raise InstanceError(file, f"{where}.y", f"latitude {site['y']} outside [-90, 90]")
        if doc["distance"]["metric"] == "euclidean":
            raise InstanceError(
                file, "$.distance.metric", "euclidean distances of longitudes and latitudes would be in degrees"
            )
    elif doc["distance"]["metric"] == "haversine":
        raise InstanceError(file, "$.distance.metric", "haversine needs geographic coordinates, not planar")
    for k, node in enumerate(doc["nodes"]):
        window = node.get("time_window")
        if window is not None and window[0] > window[1]:
            raise InstanceError(
                file, f"$.nodes[{k}].time_window", f"opens at {window[0]} after it closes at {window[1]}"
            )
    _check_capacity(doc, file)
    if doc["distance"]["metric"] == "road":
        _check_road_network(doc, file)


def _check_capacity(doc: dict, file: str) -> None:
    largest = max(c["fleet"]["capacity"] for c in doc["companies"])
    for k, node in enumerate(doc["nodes"]):
        for key in ("demand", "pickup"):
            quantity = sum(node.get(key, {}).values())
            if quantity > largest:
                raise InstanceError(
                    file, f"$.nodes[{k}].{key}", f"{quantity:g} parcels exceed the largest vehicle capacity {largest:g}"
                )
    total = sum(sum(node["demand"].values()) for node in doc["nodes"])
    if total == 0 and not any(sum(node.get("pickup", {}).values()) for node in doc["nodes"]):
        raise InstanceError(file, "$.nodes", "every demand is zero: there is nothing to deliver")
    joint = doc.get("joint_fleet")
    if joint is not None:
        for k, node in enumerate(doc["nodes"]):
            quantity = max(sum(node.get(key, {}).values()) for key in ("demand", "pickup"))
            if quantity > joint["capacity"]:
                raise InstanceError(
                    file,
                    f"$.nodes[{k}]",
                    f"{quantity:g} parcels exceed the joint fleet's capacity {joint['capacity']:g}",
                )
        if total > joint["count"] * joint["capacity"]:
            raise InstanceError(
                file, "$.joint_fleet", f"total demand {total:g} parcels exceeds the joint fleet's capacity"
            )
    fleet_capacity = sum(c["fleet"]["count"] * c["fleet"]["capacity"] for c in doc["companies"])
    if total > fleet_capacity:
        raise InstanceError(
            file, "$.companies", f"total demand {total:g} parcels exceeds total fleet capacity {fleet_capacity:g}"
        )
    for k, company in enumerate(doc["companies"]):
        own = sum(node["demand"].get(company["id"], 0.0) for node in doc["nodes"])
        fleet = company["fleet"]
        if own > fleet["count"] * fleet["capacity"]:
            raise InstanceError(
                file,
                f"$.companies[{k}].fleet",
                f"company {company['id']} demand {own:g} parcels exceeds its fleet capacity "
                f"{fleet['count']} x {fleet['capacity']:g}",
            )
    if all("capacity" in c for c in doc["centers"]):
        center_capacity = sum(c["capacity"] for c in doc["centers"])
        if total > center_capacity:
            raise InstanceError(
                file, "$.centers", f"total demand {total:g} parcels exceeds total center capacity {center_capacity:g}"
            )


def _check_road_network(doc: dict, file: str) -> None:
    """Every location reaches the first node and is reached from it (one-way roads
    driven one way only), so every location reaches every other."""
    if not doc.get("edges"):
        raise InstanceError(file, "$.edges", "metric 'road' needs a road network, and there are no edges")
    graph = nx.DiGraph()
    for e in doc["edges"]:
        graph.add_edge(e["u"], e["v"])
        if not e.get("oneway", False):
            graph.add_edge(e["v"], e["u"])
    first = doc["nodes"][0]["id"]
    there = nx.descendants(graph, first) | {first} if first in graph else {first}
    back = nx.ancestors(graph, first) | {first} if first in graph else {first}
    nodes_first = sorted(_sites(doc), key=lambda item: not item[0].startswith("$.nodes"))
    for where, site in nodes_first:
        vertex = site.get("node", site["id"])
        if vertex not in there:
            raise InstanceError(
                file, where, f"{site['id']!r} cannot be reached from node {first!r} on the road network"
            )
        if vertex not in back:
            raise InstanceError(file, where, f"node {first!r} cannot be reached from {site['id']!r} (one-way roads)")


def _site(raw: dict) -> Site:
    access = raw.get("access")
    return Site(
        raw["id"],
        float(raw["x"]),
        float(raw["y"]),
        raw.get("node"),
        None if access is None else Access(float(access["km"]), access.get("road_type")),
    )


def _fleet(raw: dict) -> Fleet:
    return Fleet(
        count=int(raw["count"]),
        capacity=float(raw["capacity"]),
        fixed_cost=float(raw["fixed_cost"]),
        cost_per_km=float(raw["cost_per_km"]),
        max_route_km=raw.get("max_route_km"),
    )


def _truck(raw: dict | None, emission_factor: float) -> Truck | None:
    if raw is None:
        return None
    return Truck(
        capacity=None if "capacity" not in raw else float(raw["capacity"]),
        fixed_cost=float(raw["fixed_cost"]),
        cost_per_km=float(raw["cost_per_km"]),
        emission_factor=float(raw.get("emission_factor", emission_factor)),
        count=raw.get("count"),
    )


def _build(doc: dict, file: str) -> Instance:
    nodes = tuple(
        Node(
            id=raw["id"],
            x=float(raw["x"]),
            y=float(raw["y"]),
            demand={c: float(q) for c, q in raw["demand"].items()},
            pickup={c: float(q) for c, q in raw.get("pickup", {}).items()},
            time_window=TimeWindow(*map(float, raw["time_window"])) if "time_window" in raw else None,
            service_time=float(raw.get("service_time", 0.0)),
            features=CommunityFeatures(**raw["features"]) if "features" in raw else None,
            label=raw.get("label", ""),
            town=raw.get("town"),
        )
        for raw in doc["nodes"]
    )
    companies = tuple(
        Company(
            id=raw["id"],
            name=raw.get("name", raw["id"]),
            depot=_site(raw["depot"]),
            fleet=_fleet(raw["fleet"]),
        )
        for raw in doc["companies"]
    )
    centers = tuple(Center(_site(raw), float(raw["fixed_cost"]), raw.get("capacity")) for raw in doc["centers"])
    road_types = tuple(
        RoadType(
            raw["id"],
            float(raw["weight"]),
            float(raw["congestion"]),
            raw.get("description", ""),
            None if "speed_kmh" not in raw else float(raw["speed_kmh"]),
        )
        for raw in doc.get("road_types", [])
    )
    edges = tuple(
        Edge(
            raw["u"],
            raw["v"],
            raw["road_type"],
            float(raw["length_km"]),
            bool(raw.get("oneway", False)),
            None if "speed_kmh" not in raw else float(raw["speed_kmh"]),
        )
        for raw in doc.get("edges", [])
    )
    distance = doc["distance"]
    prov = doc["provenance"]
    emission_factor = float(doc.get("emission_factor", DEFAULT_EMISSION_FACTOR))
    return Instance(
        name=doc["name"],
        nodes=nodes,
        companies=companies,
        centers=centers,
        distance=DistanceSpec(
            distance["metric"], distance.get("rounding", "none"), float(distance.get("circuity", 1.0))
        ),
        coordinates=doc["coordinates"],
        road_types=road_types,
        edges=edges,
        road_vertices=tuple(
            RoadVertex(raw["id"], float(raw["x"]), float(raw["y"])) for raw in doc.get("road_vertices", [])
        ),
        default_congestion=float(doc.get("default_congestion", 1.0)),
        emission_factor=emission_factor,
        joint_fleet=_fleet(doc["joint_fleet"]) if "joint_fleet" in doc else None,
        line_haul=_truck(doc.get("line_haul"), emission_factor),
        feeder=_truck(doc.get("feeder"), emission_factor),
        alliance_centers=doc.get("alliance_centers"),
        independent_windows=bool(doc.get("independent_windows", True)),
        hubs=tuple(
            Hub(_site(raw), float(raw["fixed_cost"]), float(raw["handling_cost"]), raw.get("capacity"))
            for raw in doc.get("hubs", [])
        ),
        shuttle=_truck(doc.get("shuttle"), emission_factor),
        line_haul_design=doc.get("line_haul_design", "tour"),
        speed_kmh=float(doc.get("speed_kmh", 30.0)),
        shift_min=float(doc.get("shift_min", DAY_MIN)),
        parcel_km_cost=float(doc.get("parcel_km_cost", 0.0)),
        units=dict(doc["units"]),
        provenance=Provenance(
            summary=prov["summary"],
            real=tuple(prov["real"]),
            synthetic=tuple(prov["synthetic"]),
            sources=tuple(prov.get("sources", [])),
            generator=prov.get("generator"),
            seed=prov.get("seed"),
            calibration=tuple(prov.get("calibration", [])),
        ),
        source=file,
    )

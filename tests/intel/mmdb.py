"""A tiny MaxMind DB writer for tests: enough of the format (IPv4 search tree, 24-bit
records, maps of strings) to make a GeoLite2-shaped Country database that the real
`maxminddb` reader opens. Format: https://maxmind.github.io/MaxMind-DB/
"""

import ipaddress
import time

METADATA_MARKER = b"\xab\xcd\xefMaxMind.com"


def write_country_mmdb(path, networks: dict[str, str], database_type="GeoLite2-Country",
                       record: str = "maxmind") -> None:
    """networks: {"8.8.8.0/24": "FR", ...} (IPv4, not overlapping). `record` shapes the
    data: "maxmind" ({"country": {"iso_code": ..}}) or "flat" ({"country": ..})."""
    data = bytearray()
    offsets: dict[str, int] = {}
    for code in sorted(set(networks.values())):
        offsets[code] = len(data)
        value = {"country": {"iso_code": code}} if record == "maxmind" else {"country": code}
        data += _encode(value)

    nodes: list[list] = [[None, None]]
    for text, code in networks.items():
        network = ipaddress.ip_network(text)
        address = int(network.network_address)
        node = 0
        for depth in range(network.prefixlen):
            bit = (address >> (31 - depth)) & 1
            if depth == network.prefixlen - 1:
                nodes[node][bit] = ("data", offsets[code])
            else:
                if nodes[node][bit] is None:
                    nodes.append([None, None])
                    nodes[node][bit] = len(nodes) - 1
                node = nodes[node][bit]

    count = len(nodes)
    tree = bytearray()
    for left, right in nodes:
        for value in (left, right):
            if value is None:
                number = count  # no data
            elif isinstance(value, tuple):
                number = count + 16 + value[1]
            else:
                number = value
            tree += number.to_bytes(3, "big")

    metadata = {
        "binary_format_major_version": ("u16", 2),
        "binary_format_minor_version": ("u16", 0),
        "build_epoch": ("u64", int(time.time())),
        "database_type": database_type,
        "description": {"en": "test database"},
        "ip_version": ("u16", 4),
        "languages": ("array", ["en"]),
        "node_count": ("u32", count),
        "record_size": ("u16", 24),
    }
    with open(path, "wb") as f:
        f.write(bytes(tree) + bytes(16) + bytes(data) + METADATA_MARKER + _encode(metadata))


def _control(type_number: int, size: int) -> bytes:
    assert size < 29, "only small values are needed here"
    if type_number <= 7:
        return bytes([(type_number << 5) | size])
    return bytes([size, type_number - 7])  # extended type


def _encode(value) -> bytes:
    if isinstance(value, str):
        raw = value.encode()
        return _control(2, len(raw)) + raw
    if isinstance(value, dict):
        out = _control(7, len(value))
        for key, item in value.items():
            out += _encode(key) + _encode(item)
        return out
    kind, item = value
    if kind == "array":
        return _control(11, len(item)) + b"".join(_encode(x) for x in item)
    type_number, width = {"u16": (5, 2), "u32": (6, 4), "u64": (9, 8)}[kind]
    raw = item.to_bytes(width, "big").lstrip(b"\0")
    return _control(type_number, len(raw)) + raw


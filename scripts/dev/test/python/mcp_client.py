"""The Python MCP SDK's client against an edge-mcp server, for scripts/dev/test/python.

    python mcp_client.py URL MODE TOOL ARGS_JSON   (the bearer token in MCP_TOKEN)

MODE is what `mcp.Client` negotiates: "auto" (probe 2026-07-28 with server/discover, fall back to
initialize), "legacy" (the 2025 handshake) or "2026-07-28" (pinned). Prints one JSON line: the
protocol version the connection uses, the tool names listed and the text of one tool call — or,
when the connection fails, the error (type, JSON-RPC code, message) and exit status 3.
"""
import asyncio
import json
import os
import sys

from mcp import Client
from mcp.client.streamable_http import create_mcp_http_client, streamable_http_client


async def main(url: str, mode: str, tool: str, args: dict) -> None:
    http = create_mcp_http_client(headers={"Authorization": f"Bearer {os.environ['MCP_TOKEN']}"})
    async with http, Client(streamable_http_client(url, http_client=http), mode=mode) as client:
        modern = client.session.discover_result is not None
        tools = await client.list_tools()
        result = await client.call_tool(tool, args)
        print(json.dumps({
            "protocolVersion": client.protocol_version,
            "era": "modern" if modern else "legacy",
            "tools": sorted(t.name for t in tools.tools),
            "isError": bool(result.is_error),
            "text": result.content[0].text if result.content else None,
        }))


def first_error(error: BaseException) -> BaseException:
    """The error inside anyio's exception groups."""
    while isinstance(error, BaseExceptionGroup) and len(error.exceptions) > 0:
        error = error.exceptions[0]
    return error


try:
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])))
except BaseException as caught:  # noqa: BLE001 - reported as data for the test to check
    error = first_error(caught)
    print(json.dumps({"error": {"type": type(error).__name__, "code": getattr(error, "code", None), "message": str(error)}}))
    sys.exit(3)

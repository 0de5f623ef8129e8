"""The MCP server at `/api/mcp`: Draxis's read and write tools for agents, by personal access token.

`server` builds it (the official SDK's `MCPServer`, streamable HTTP, stateless); `auth` verifies
tokens through the same code as the REST API; `runtime` runs each tool call in one scoped
transaction as the token's user, audited; `tools_*` are the tools, grouped by what they touch.
"""

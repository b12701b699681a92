"""leadinbox-mcp: an MCP server that gives LLM agents the sales-outreach inboxes where leads reply."""

"""What a tool returns: text for the model plus the same facts as structured content."""

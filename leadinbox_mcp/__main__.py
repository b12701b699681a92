"""`python -m leadinbox_mcp`: the same as the `leadinbox-mcp` command."""

import sys

from leadinbox_mcp.server.cli import main

sys.exit(main())

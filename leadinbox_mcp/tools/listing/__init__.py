"""A listing over several accounts: the lazy merge, each account's stream of pages, cursors, and the
short-lived caches of pages and threads."""

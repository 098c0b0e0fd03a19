"""The governance dashboard: a server-rendered HTML page with inline SVG charts."""

"""The board pack: a period's governance narrative with charts, as PDF, CSV, Markdown or HTML."""

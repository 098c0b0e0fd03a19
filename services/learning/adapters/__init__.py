"""Learning adapters: tables and the store that applies derived conclusions."""

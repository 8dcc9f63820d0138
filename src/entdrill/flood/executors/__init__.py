"""Where the shards of a flood run: ``local`` (processes here) or ``kubernetes`` (an Indexed Job)."""

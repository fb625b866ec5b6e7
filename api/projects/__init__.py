"""The public project catalogue: list, search and detail over the catalogue and the index, cached."""

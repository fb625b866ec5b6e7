"""What the API reads about the chain mirror itself: how far it reaches (for `meta`) and how fresh it is."""

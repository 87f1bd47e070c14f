"""`offramp verify --to P`: ask the provider itself, with the user's key, whether the project's requests work."""

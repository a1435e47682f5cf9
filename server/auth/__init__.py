"""Authentication and scopes: password hashes, bearer tokens, gateway keys, the caller (Principal)."""

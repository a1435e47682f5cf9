"""Sites: units with their address, region, venue type, owner and operator company."""

"""The partner finder: lighthouses to follow, followers to lead, peers."""

"""The registry: municipalities, domains, prior projects, the registry graph and the seed."""

"""communitygov: typed domain models and state machines for community-governance workflows."""

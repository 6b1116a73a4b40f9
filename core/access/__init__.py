"""Who gets in and who may do what: the door (access requests, invites), account linking, permissions."""

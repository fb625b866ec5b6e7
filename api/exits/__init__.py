"""Project exits: an administrator hands a project to its community DAO; every holder gets a final statement."""

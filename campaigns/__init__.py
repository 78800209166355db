"""Mass mailings (campaigns): an audience, a channel, role-specific content, a resumable job."""

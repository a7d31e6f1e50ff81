"""HTTP plumbing shared by every domain controller: dependencies and error responses."""

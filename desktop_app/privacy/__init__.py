"""Privacy: the network guard, de-identification, the audit log and the optional encrypted history."""

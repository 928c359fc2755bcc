"""The audit trail screen: who did what, where and when, for staff and administrators."""

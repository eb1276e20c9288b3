"""Small helpers shared by every stage (atomic files, reports, hashing)."""

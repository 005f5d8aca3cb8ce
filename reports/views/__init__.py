"""Reporter pages: the journey (`journey`) and a reporter's own reports (`reporter`)."""

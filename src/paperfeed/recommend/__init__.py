"""Personal recommendations: what each reader tells us, a model learned from it, and
rankings with reasons. Read-only over catalogue, search and community state; nothing
below imports it."""

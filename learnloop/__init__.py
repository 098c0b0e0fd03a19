"""learnloop."""

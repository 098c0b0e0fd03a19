"""learnloop/infra."""

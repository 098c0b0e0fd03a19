"""Pure intake rules: who may submit what, rate limits, redaction."""

"""Output formats: a processed document turned into the bytes a client asked for."""

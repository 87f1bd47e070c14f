"""Demo application for offramp: every OpenAI usage pattern in a few small modules."""

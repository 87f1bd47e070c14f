"""Configuration files the user's project keeps (.env, YAML, TOML, JSON, INI): one scanner per format,
what their values mean, and the fixes (see `offramp.configfiles` for the rules and their limits)."""
